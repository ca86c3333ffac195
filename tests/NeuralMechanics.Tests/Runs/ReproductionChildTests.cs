using NeuralMechanics.Cli;
using NeuralMechanics.Cli.Commands;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Resume;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Runs;

/// <summary>
/// <c>nmech reproduce</c> trains its runs two at a time in <c>nmech train</c> child processes (one
/// libtorch thread each): the runs are the runs one process makes, progress comes back from the
/// children, and an interrupted plan resumes through them. Tiny MLP runs stand for the VGG plan.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class ReproductionChildTests
{
    // ReproductionResumeTests' plan of three tiny MLP runs, trained in this process by its Train.
    private static IReadOnlyList<RunSpec> TinyPlan(string outDir) => ReproductionResumeTests.TinyPlan(outDir);

    private static ChildRun Children(string dir) => new(["dotnet", typeof(NmechApp).Assembly.Location], Threads: 1, dir);

    [Fact]
    public void RunsTrainedInChildProcessesAreTheRunsTrainedInThisProcessAndReportTheirProgressToTheLastStep()
    {
        using var reference = new TempDirectory();
        using var dir = new TempDirectory();
        ReproductionResumeTests.Train(Reproduction.Prepare(reference.Path, TinyPlan(reference.Path)));
        var runs = TinyPlan(dir.Path);
        var last = new long[runs.Count];

        var outcomes = ReproduceCommand.TrainAll(Reproduction.Prepare(dir.Path, runs),
            (i, _, _) => new SyncProgress<TrainProgress>(p => last[i] = Math.Max(last[i], p.Step)), CancellationToken.None, Children(dir.Path));

        Assert.Equal(0, ReproduceCommand.ExitCode(outcomes, stopped: false));
        Assert.Equal([6L, 6L, 6L], last);
        Assert.Equal(["finished", "finished", "finished"], ReproduceCommand.Rows(outcomes, stopped: false).Select(r => r.State));
        Assert.All(outcomes, o => Assert.True(o.Result!.StepsPerSecond > 0, "the child's speed comes back"));
        for (int i = 0; i < runs.Count; i++)
            RunComparison.AssertIdentical(TinyPlan(reference.Path)[i].OutDir, runs[i].OutDir);
        Assert.All(runs, r => Assert.Contains("--progress-json", File.ReadAllText(Path.Combine(dir.Path, "logs", Path.GetFileName(r.OutDir) + ".log"))));
    }

    [Fact]
    public void AnInterruptedPlanResumesThroughChildProcessesToTheUninterruptedRuns()
    {
        using var reference = new TempDirectory();
        using var dir = new TempDirectory();
        ReproductionResumeTests.Train(Reproduction.Prepare(reference.Path, TinyPlan(reference.Path)));
        var runs = TinyPlan(dir.Path);
        ReproductionResumeTests.Train(Reproduction.Prepare(dir.Path, runs), stopRun: 1, stopStep: 4);

        var plan = Reproduction.Prepare(dir.Path, runs);
        var outcomes = ReproduceCommand.TrainAll(plan, (_, _, _) => null, CancellationToken.None, Children(dir.Path));

        Assert.Equal([SweepAction.Skip, SweepAction.Resume, SweepAction.Start], plan.Select(p => p.Action));
        Assert.Equal(["finished (kept)", "finished (resumed)", "finished"], ReproduceCommand.Rows(outcomes, stopped: false).Select(r => r.State));
        for (int i = 0; i < runs.Count; i++)
            RunComparison.AssertIdentical(TinyPlan(reference.Path)[i].OutDir, runs[i].OutDir);
    }

    [Fact]
    public void AChildThatCannotStartIsAFailedRunNamingItsLog()
    {
        using var dir = new TempDirectory();
        var runs = TinyPlan(dir.Path).Take(1).ToList();
        var broken = new ChildRun(["dotnet", Path.Combine(dir.Path, "no-such-nmech.dll")], Threads: 1, dir.Path);

        var outcomes = ReproduceCommand.TrainAll(Reproduction.Prepare(dir.Path, runs), (_, _, _) => null, CancellationToken.None, broken);

        Assert.Equal(ReproduceCommand.Incomplete, ReproduceCommand.ExitCode(outcomes, stopped: false));
        var row = ReproduceCommand.Rows(outcomes, stopped: false).Single();
        Assert.StartsWith("failed: nmech train exited with code ", row.State);
        Assert.EndsWith($"see {Path.Combine(dir.Path, "logs", "mlp_wd=0.log")}", row.State);
    }
}
