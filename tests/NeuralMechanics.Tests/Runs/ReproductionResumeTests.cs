using System.Security.Cryptography;
using NeuralMechanics.Cli;
using NeuralMechanics.Cli.Commands;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Resume;
using NeuralMechanics.Training;
using Spectre.Console;

namespace NeuralMechanics.Tests.Runs;

/// <summary>
/// <c>nmech reproduce</c> run again in its folder loses no work: finished runs are kept untouched,
/// an interrupted run resumes to the run it would have been, and Ctrl-C ends with a true summary.
/// Plans of three tiny MLP runs (6 steps each) stand for the VGG plan.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class ReproductionResumeTests
{
    internal static IReadOnlyList<RunSpec> TinyPlan(string outDir, long steps = 6) =>
        new[] { 0.0, 1e-3, 5e-3 }.Select(wd => new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 1, Hidden: 8), Data = "synthetic:1x8x8:4", TrainLimit = 64,
            Optimizer = new SgdSettings(0.1, WeightDecay: wd, Momentum: 0.9), BatchSize = 16, Steps = steps, Seed = 3, LogEvery = 2, CheckpointEvery = 0,
            OutDir = Path.Combine(outDir, "runs", $"mlp_wd={wd}"),
        }).ToList();

    internal static List<ReproduceCommand.Outcome> Train(IReadOnlyList<(RunSpec, SweepAction)> plan, int stopRun = -1, long stopStep = 0)
    {
        using var cancel = new CancellationTokenSource();
        return ReproduceCommand.TrainAll(plan, (i, _, _) => new SyncProgress<TrainProgress>(p =>
        {
            if (i == stopRun && p.Step == stopStep) cancel.Cancel();
        }), cancel.Token);
    }

    /// <summary>Every file of a run folder with its last write time and the hash of its bytes.</summary>
    private static Dictionary<string, (DateTime, string)> Files(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), f => (File.GetLastWriteTimeUtc(f), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

    [Fact]
    public void RerunningKeepsEveryFinishedRunByteForByteAndTrainsNothing()
    {
        using var dir = new TempDirectory();
        var runs = TinyPlan(dir.Path);
        Train(Reproduction.Prepare(dir.Path, runs));
        var before = runs.Select(r => Files(r.OutDir)).ToList();

        var plan = Reproduction.Prepare(dir.Path, runs);
        var outcomes = Train(plan);

        Assert.All(plan, p => Assert.Equal(SweepAction.Skip, p.Action));
        Assert.All(outcomes, o => Assert.Null(o.Result));
        for (int i = 0; i < runs.Count; i++) Assert.Equal(before[i], Files(runs[i].OutDir));
        Assert.Equal(0, ReproduceCommand.ExitCode(outcomes, stopped: false));
        Assert.All(ReproduceCommand.Rows(outcomes, stopped: false), r => Assert.Equal(("finished (kept)", 6L, true), (r.State, r.Steps, r.Finished)));
    }

    [Fact]
    public void AfterCtrlCTheSummaryShowsTheInterruptedRunAtItsStepAndTheRunNotStartedAndTheExitCodeIs130()
    {
        using var dir = new TempDirectory();
        var runs = TinyPlan(dir.Path);

        var outcomes = Train(Reproduction.Prepare(dir.Path, runs), stopRun: 1, stopStep: 4);
        var rows = ReproduceCommand.Rows(outcomes, stopped: true);

        Assert.Equal(130, ReproduceCommand.ExitCode(outcomes, stopped: true));
        Assert.Equal(["finished", "interrupted at step 4", "not started"], rows.Select(r => r.State));
        Assert.Equal([6L, 4L, 0L], rows.Select(r => r.Steps));
        Assert.Equal([true, false, false], rows.Select(r => r.Learned || r.Learning is { DidNotLearn: true }));
        Assert.All(rows, r => Assert.Equal(6L, r.PlannedSteps));
        Assert.True(double.IsFinite(rows[1].StepsPerSecond) && double.IsFinite(rows[1].Seconds), "the interrupted run's speed and time are measured");
        var text = ConsoleOutput.Plain(LearningTable.Create(rows, withSpeed: true, title: "runs"), columns: null);
        Assert.DoesNotContain("NaN", text);
        var interrupted = text.Split('\n').Single(l => l.StartsWith("mlp_wd=0.001", StringComparison.Ordinal));
        Assert.Contains("interrupted at step 4", interrupted);
        Assert.DoesNotContain("learned", interrupted);
        Assert.Contains("not started", text.Split('\n').Single(l => l.StartsWith("mlp_wd=0.005", StringComparison.Ordinal)));
    }

    [Fact]
    public void APartlyDonePlanResumesTheInterruptedRunToTheSameRunAsAnUninterruptedOne()
    {
        using var reference = new TempDirectory();
        using var dir = new TempDirectory();
        Train(Reproduction.Prepare(reference.Path, TinyPlan(reference.Path)));
        var runs = TinyPlan(dir.Path);
        Train(Reproduction.Prepare(dir.Path, runs), stopRun: 1, stopStep: 4);
        var first = Files(runs[0].OutDir);

        var plan = Reproduction.Prepare(dir.Path, runs);
        var outcomes = Train(plan);

        Assert.Equal([SweepAction.Skip, SweepAction.Resume, SweepAction.Start], plan.Select(p => p.Action));
        Assert.Equal(0, ReproduceCommand.ExitCode(outcomes, stopped: false));
        Assert.Equal(first, Files(runs[0].OutDir));
        Assert.Equal(["finished (kept)", "finished (resumed)", "finished"], ReproduceCommand.Rows(outcomes, stopped: false).Select(r => r.State));
        for (int i = 0; i < runs.Count; i++)
            RunComparison.AssertIdentical(TinyPlan(reference.Path)[i].OutDir, runs[i].OutDir);
    }

    [Fact]
    public void AnotherPlanInTheFolderIsAnErrorNamingThePlanFileAndTheDifferenceAndFreshStartsOver()
    {
        using var dir = new TempDirectory();
        Train(Reproduction.Prepare(dir.Path, TinyPlan(dir.Path)));
        var longer = TinyPlan(dir.Path, steps: 8);

        var e = Assert.Throws<InvalidInputException>(() => Reproduction.Prepare(dir.Path, longer));
        Assert.StartsWith($"{Path.Combine(dir.Path, Reproduction.PlanFile)}: runs.mlp_wd=0.steps: this folder holds another reproduction, with 6; this command asks for 8;", e.Message);
        Assert.Contains("--fresh", e.Message);

        var plan = Reproduction.Prepare(dir.Path, longer, fresh: true);
        Assert.All(plan, p => Assert.Equal(SweepAction.Start, p.Action));
        Assert.All(longer, r => Assert.False(Directory.Exists(r.OutDir)));
    }

    [Fact]
    public void ResumeWithNothingToResumeAndResumeWithFreshAreErrors()
    {
        using var dir = new TempDirectory();
        var runs = TinyPlan(dir.Path);

        var e = Assert.Throws<InvalidInputException>(() => Reproduction.Prepare(dir.Path, runs, resume: true));
        Assert.Equal($"{dir.Path}: --resume: expected a reproduction to continue (plan.json or run folders), found none; run without --resume to start one", e.Message);
        Assert.Throws<InvalidInputException>(() => Reproduction.Prepare(dir.Path, runs, fresh: true, resume: true));
    }
}
