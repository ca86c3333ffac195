using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Resume;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>A sweep trains each grid point into SWEEP_DIR/&lt;point&gt;, and running it again completes what is unfinished and nothing else.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class SweepRunTests(TinySweep sweep) : IClassFixture<TinySweep>
{
    [Fact]
    public void EachPointIsARunFolderWithItsValuesAndTheManifestListsThem()
    {
        Assert.Equal(TinySweep.Points, Directory.GetDirectories(sweep.Root).Select(Path.GetFileName).Where(n => n != SweepPlan.LogsFolder && n != SweepPlan.SpecsFolder).OrderDescending());
        foreach (var (name, lr) in TinySweep.Points.Zip([0.1, 0.05]))
        {
            var run = RunDirectory.Open(Path.Combine(sweep.Root, name));
            Assert.Equal(TinySweep.Base("").Optimizer with { LearningRate = lr }, run.Manifest.Optimizer);
            Assert.Equal(6, run.Manifest.Steps);
            Assert.Equal(RunState.Finished, run.ReadStatus()!.State);
            Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), TrajectoryReader.Read(run.MetricsFolder).Longs(TrajectorySchema.Step));
        }

        var manifest = SweepManifest.Read(Path.Combine(sweep.Root, SweepPlan.ManifestFile));
        Assert.Equal("lr", manifest.Grid.Single().Key);
        Assert.Equal([0.1, 0.05], manifest.Grid.Single().Values);
        Assert.Equal(TinySweep.Base(sweep.Root) with { OutDir = "" }, manifest.Base);   // where a run writes is no part of its specification
        Assert.Equal(TinySweep.Points, manifest.Points.Select(p => p.Dir));
        Assert.All(manifest.Points, p => Assert.Equal(SweepPointState.Finished, p.State));
        Assert.Equal([0.1, 0.05], manifest.Points.Select(p => p.Values["lr"]));
        Assert.Equal(["--out", Path.Combine(sweep.Root, "lr=0.05")], manifest.Points[1].Command.TakeLast(2));
    }

    [Fact]
    public void RerunSkipsEveryFinishedPoint()
    {
        var root = sweep.Copy("rerun");
        var checkpoints = TinySweep.Points.Select(p => File.GetLastWriteTimeUtc(Path.Combine(root, p, TrajectorySchema.CheckpointFile))).ToList();
        var events = new Collect<SweepProgress>();

        var manifest = SweepRunner.Run(TinySweep.Plan(root), progress: events);

        Assert.Equal([(TinySweep.Points[0], SweepAction.Skip), (TinySweep.Points[1], SweepAction.Skip)], events.Items.Select(e => (e.Point.Name, e.Action)));
        Assert.Equal(checkpoints, TinySweep.Points.Select(p => File.GetLastWriteTimeUtc(Path.Combine(root, p, TrajectorySchema.CheckpointFile))));
        Assert.All(manifest.Points, p => Assert.Equal(SweepPointState.Finished, p.State));
    }

    [Fact]
    public void InterruptedPointIsResumedFromItsCheckpointToTheSameRun()
    {
        var root = sweep.Copy("interrupted");
        var point = TinySweep.Plan(root).Points[1];
        Directory.Delete(point.Dir, recursive: true);
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = Trainer.Run(point.Config, new OnProgress(p => { if (p.Step == 4) cancel.Cancel(); }), cancel.Token);
            Assert.Equal(RunState.Interrupted, stopped.Status.State);
        }
        var events = new Collect<SweepProgress>();

        var manifest = SweepRunner.Run(TinySweep.Plan(root), progress: events);

        Assert.Equal([(SweepAction.Skip, SweepPointState.Finished), (SweepAction.Resume, SweepPointState.Running), (SweepAction.Resume, SweepPointState.Finished)],
            events.Items.Select(e => (e.Action, e.State)));
        Assert.All(manifest.Points, p => Assert.Equal(SweepPointState.Finished, p.State));
        RunComparison.AssertIdentical(Path.Combine(sweep.Root, point.Name), point.Dir);
    }

    [Fact]
    public void PointKilledBeforeItsFirstCheckpointStartsOverWithoutStoringAnyStepTwice()
    {
        var root = sweep.Copy("killed-early");
        var point = TinySweep.Plan(root).Points[0];
        // What a kill before the first checkpoint leaves: manifest, flushed parts, no checkpoint, status "running".
        File.Delete(Path.Combine(point.Dir, TrajectorySchema.CheckpointFile));
        RunDirectory.Open(point.Dir).WriteStatus(KilledStatus.Running());
        Assert.Equal(SweepAction.Start, point.NextAction());

        var manifest = SweepRunner.Run(TinySweep.Plan(root));

        Assert.Equal(SweepPointState.Finished, manifest.Points[0].State);
        RunComparison.AssertIdentical(Path.Combine(sweep.Root, point.Name), point.Dir);
    }

    [Fact]
    public void FinishedPointAskedForMoreStepsIsExtended()
    {
        var root = sweep.Copy("extended");
        var plan = SweepPlan.Create(SweepGrid.Parse("lr=0.1"), TinySweep.Base(root) with { Steps = 8 }, root);
        Assert.Equal(SweepAction.Resume, plan.Points[0].NextAction());

        SweepRunner.Run(plan);

        var run = RunDirectory.Open(plan.Points[0].Dir);
        Assert.Equal((8L, RunState.Finished), (run.Manifest.Steps, run.ReadStatus()!.State));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), TrajectoryReader.Read(run.MetricsFolder).Longs(TrajectorySchema.Step));
    }

    [Fact]
    public void ParallelSweepTrainsEachPointInAChildProcessWithTheSameConfiguration()
    {
        var root = sweep.NewFolder("parallel");
        var c = TinySweep.Base(root);
        var (exitCode, output) = NmechProcess.Run(
            "sweep", "--grid", TinySweep.Grid, "--model", c.Model, "--depth", "1", "--hidden", "8", "--data", c.Data, "--train-limit", "64",
            "--wd", "1e-3", "--momentum", "0.9", "--batch", "16", "--steps", "6", "--seed", "3", "--log-every", "2", "--checkpoint-every", "3",
            "--parallel", "2", "--out", root);

        Assert.True(exitCode == 0, output);
        foreach (var name in TinySweep.Points)
        {
            var run = RunDirectory.Open(Path.Combine(root, name));
            Assert.Equal(RunState.Finished, run.ReadStatus()!.State);
            Assert.Null(RunDirectory.FirstDifference(RunDirectory.Open(Path.Combine(sweep.Root, name)).Manifest, run.Manifest));
            Assert.Contains("--out", File.ReadAllText(Path.Combine(root, SweepPlan.LogsFolder, name + ".log")));
        }
    }

    private sealed class OnProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
