using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

/// <summary>
/// A training session reads the host once per chunk of steps when it defers, as it does on CUDA
/// (loss and accuracy stay on the device; the tracker's measurements too), and deferring changes no
/// row: a run that diverges stops at the same step with the same rows as one read every step.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class DeferredMetricsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-deferred-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private TrainingSession Start(string name, double lr, int readEvery, out BatchLoader loader)
    {
        manual_seed(3);
        var data = DataSets.Load("synthetic:1x8x8:4", seed: 3).Train.Take(256);
        var zoo = ModelZoo.Create("mlp", [1, 8, 8], 4, new ModelOptions(Depth: 2, Hidden: 16));
        loader = new BatchLoader(data, 32, Normalization.Compute(data), CPU, shuffle: true, seed: 3);
        var spec = new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 16), Data = "synthetic:1x8x8:4", Optimizer = new SgdSettings(lr, 5e-4, 0.9),
            BatchSize = 32, Steps = 120, LogEvery = 10, CheckpointEvery = 0, OutDir = Path.Combine(root, name),
        };
        var session = TrainingSession.Start(zoo.Network, zoo.Architecture, spec, loader);
        session.ReadEvery = readEvery;
        return session;
    }

    private long ReadsOver120Steps(int readEvery)
    {
        using var session = Start($"reads-{readEvery}", 0.05, readEvery, out var loader);
        using (loader)
        {
            long before = HostReads.OnThisThread;
            while (session.Step()) { }
            return HostReads.OnThisThread - before;
        }
    }

    [Fact]
    public void DeferringReadsTheHostOncePerChunkNotOncePerStep()
    {
        // 120 steps, chunks of 50: the metrics come back at steps 50 and 100, the tracker's at its own
        // chunks of 50; the rest waits for the end of the run.
        Assert.InRange(ReadsOver120Steps(readEvery: 50), 1, 2 * (long)Math.Ceiling(120 / 50.0));
        // Reading every step (the CPU's default) is at least one read per step.
        Assert.True(ReadsOver120Steps(readEvery: 1) >= 120);
    }

    private (RunStatus Status, long[] MetricSteps, double[] Losses, long[] LayerSteps) Diverge(int readEvery)
    {
        var session = Start($"diverge-{readEvery}", 50.0, readEvery, out var loader);
        using (loader)
        {
            var result = session.Run();
            session.Dispose();
            var run = RunDirectory.Open(result.RunDir);
            var metrics = TrajectoryReader.Read(run.MetricsFolder);
            var layers = TrajectoryReader.Read(run.LayersFolder);
            return (result.Status, metrics.Longs(TrajectorySchema.Step), metrics.Doubles(TrajectorySchema.Loss), layers.Longs(TrajectorySchema.Step));
        }
    }

    [Fact]
    public void ARunThatDivergesStopsAtTheSameStepWithTheSameRowsWhetherItReadsEveryStepOrEveryFifty()
    {
        var every = Diverge(readEvery: 1);
        var deferred = Diverge(readEvery: 50);

        Assert.Equal(RunState.Diverged, every.Status.State);
        Assert.True(every.Status.Step < 50, $"expected η = 50 to diverge within the first chunk, it did at {every.Status.Step}");
        Assert.Equal(every.Status, deferred.Status with { Process = every.Status.Process, Updated = every.Status.Updated });
        Assert.Equal(every.MetricSteps, deferred.MetricSteps);
        Assert.Equal(every.Losses, deferred.Losses);
        Assert.Equal(every.LayerSteps, deferred.LayerSteps);
        Assert.True(every.LayerSteps.Max() < every.Status.Step);
    }
}
