using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tests.Training;

/// <summary>Learning-rate factors of every schedule, written out, and the options' one-line errors.</summary>
public class LrScheduleTests
{
    [Fact]
    public void StepDropsMultiplyByTheRateFromTheDropStepOn()
    {
        // MultiStepLR(milestones=[3, 5], gamma=0.1) stepped after every update: update n uses 0.1^(#milestones ≤ n).
        var s = new LrSchedule { Kind = ScheduleKind.Step, Drops = [3, 5], DropRate = 0.1 };
        Assert.Equal([1, 1, 1, 0.1, 0.1, Math.Pow(0.1, 2), Math.Pow(0.1, 2)], Enumerable.Range(0, 7).Select(n => s.Factor(n)));
    }

    [Fact]
    public void WarmupIsLinearToTheBaseRateThenCosineAnnealsToZeroAtTheHorizon()
    {
        var s = new LrSchedule { Kind = ScheduleKind.Cosine, WarmupSteps = 4, Horizon = 12 };
        Assert.Equal([0.25, 0.5, 0.75, 1.0], Enumerable.Range(0, 4).Select(n => s.Factor(n)));
        Assert.Equal(1.0, s.Factor(4));
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 3 / 8)), s.Factor(7), 1e-16);
        Assert.Equal(0.5, s.Factor(8), 1e-15);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 7 / 8)), s.Factor(11), 1e-16);
    }

    [Fact]
    public void ConstantClockKeepsTheTimeOfConstantRateRunsExactly()
    {
        var settings = (OptimizerSettings)new SgdSettings(0.05, 1e-4, 0.9, 0.3);
        var clock = new ScheduleClock(settings);
        for (long n = 0; n < 2000; n += 7)
        {
            Assert.Equal(n * settings.TimePerStep, clock.Time(n));
            Assert.Equal(0.05, clock.LearningRate(n));
        }
    }

    [Fact]
    public void ScheduledClockSumsTheRatesAndGivesTheSameTimeWhenAskedAgainFromTheStart()
    {
        var settings = new OptimizerSettings { LearningRate = 0.1, Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [2], DropRate = 0.5, WarmupSteps = 2 } };
        var clock = new ScheduleClock(settings);
        Assert.Equal([0.05, 0.1, 0.05, 0.05], Enumerable.Range(0, 4).Select(n => clock.LearningRate(n)));
        Assert.Equal(0.05 + 0.1 + 0.05, clock.Time(3), 1e-16);
        double late = clock.Time(1000);
        Assert.Equal(0.05 + 0.1, clock.Time(2), 1e-16);
        Assert.Equal(late, new ScheduleClock(settings).Time(1000));
    }

    [Theory]
    [InlineData("--lr-drops", "step", "3,2", 0.1, 0)]
    [InlineData("--schedule", "step", "", 0.1, 0)]
    [InlineData("--lr-drops", "cosine", "5", 0.1, 0)]
    [InlineData("--lr-drop-rate", "step", "5", 0.0, 0)]
    [InlineData("--warmup-steps", "constant", "", 0.1, -1)]
    public void BadScheduleIsRejectedNamingTheOption(string option, string kind, string drops, double rate, long warmup)
    {
        var s = new LrSchedule { Kind = LrSchedule.ParseKind(kind), Drops = drops.Length == 0 ? [] : LrSchedule.ParseDrops(drops), DropRate = rate, WarmupSteps = warmup };
        Assert.StartsWith(option + ":", Assert.Throws<InvalidInputException>(s.Validate).Message);
    }

    [Theory]
    [InlineData("--optimizer", "--optimizer", "rmsprop")]
    [InlineData("--betas", "--betas", "0.9")]
    [InlineData("--betas", "--betas", "0.9,1")]
    [InlineData("--eps", "--eps", "-1")]
    [InlineData("--momentum", "--momentum", "0.9")]
    [InlineData("--no-decay", "--no-decay", "weights")]
    [InlineData("--lr-drops", "--lr-drops", "10,x")]
    [InlineData("--schedule", "--schedule", "linear")]
    public void BadOptimizerOptionExitsWithCode2NamingIt(string named, string option, string value)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            string[] kind = option is "--momentum" or "--betas" or "--eps" ? ["--optimizer", "adamw"] : [];
            code = NeuralMechanics.Cli.NmechApp.Run(["train", .. kind, option, value, "--steps", "1", "--out", Path.Combine(Path.GetTempPath(), "nmech-unused-" + Guid.NewGuid())]);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Equal(2, code);
        Assert.Contains($"nmech: {named}:", error.ToString());
    }
}
