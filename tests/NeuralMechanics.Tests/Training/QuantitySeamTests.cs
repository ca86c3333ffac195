using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

/// <summary>
/// A quantity of a library user's own, registered through <see cref="TrainingSessionOptions"/>: it is
/// handed the steps of its schedule, writes its own table, reads through the session's one
/// <see cref="DeviceReader"/> (no read of its own), and gets from the step what it declared.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class QuantitySeamTests
{
    private const long Steps = 120;

    /// <summary>The loss every five steps, into <c>loss5/</c>, read through the shared reader.</summary>
    private sealed class LossEveryFive(QuantitySetup setup) : ITrackedQuantity
    {
        private readonly QuantityTable table = setup.Table("loss5", [TrajectoryColumn.Long("step"), TrajectoryColumn.Double("loss")]);
        public QuantityNeeds Needs => QuantityNeeds.None;
        public QuantitySchedule Schedule => QuantitySchedule.EveryK(5) with { AfterLastUpdate = false };
        public IReadOnlyList<QuantityTable> Tables => [table];
        public IEnumerable<string> Unavailable => [];
        public void Compute(StepContext step)
        {
            long n = step.Step;
            step.Reader.Defer(n, step.Loss.detach().to(ScalarType.Float64), v => table.AddRow().Long(n).Double(v[0]).End());
        }
        public Dictionary<string, double[]> SaveState() => [];
        public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
    }

    /// <summary>Records, at each step it computes, whether the gradients carry a graph and what reading the momentum buffer does.</summary>
    private sealed class Probe(QuantityNeeds needs) : ITrackedQuantity
    {
        public List<bool> GradientHasGraph { get; } = [];
        public List<bool> GradHasGraph { get; } = [];
        public List<Exception?> MomentumRead { get; } = [];
        public QuantityNeeds Needs => needs;
        public QuantitySchedule Schedule => QuantitySchedule.EveryStep with { AfterLastUpdate = false };
        public IReadOnlyList<QuantityTable> Tables => [];
        public IEnumerable<string> Unavailable => [];
        public void Compute(StepContext step)
        {
            GradientHasGraph.Add(step.Gradients is { } g && g[0].requires_grad);
            GradHasGraph.Add(step.Network.parameters().First().grad!.requires_grad);
            var name = step.Optimizer.ParameterNames.First();
            MomentumRead.Add(Record.Exception(() => step.Optimizer.MomentumBuffer(name)));
        }
        public Dictionary<string, double[]> SaveState() => [];
        public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
    }

    private static (TrainingSession Session, BatchLoader Loader) Start(string dir, TrainingSessionOptions options, int readEvery = 1, long steps = Steps)
    {
        manual_seed(3);
        var data = DataSets.Load("synthetic:1x8x8:4", seed: 3).Train.Take(256);
        var zoo = ModelZoo.Create("mlp", [1, 8, 8], 4, new ModelOptions(Depth: 2, Hidden: 16));
        var loader = new BatchLoader(data, 32, Normalization.Compute(data), CPU, shuffle: true, seed: 3);
        var spec = new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 16), Data = "synthetic:1x8x8:4", Optimizer = new SgdSettings(0.05, 5e-4, 0.9),
            BatchSize = 32, Steps = steps, LogEvery = 10, CheckpointEvery = 0, OutDir = dir,
        };
        var session = TrainingSession.Start(zoo.Network, zoo.Architecture, spec, loader, options: options);
        session.ReadEvery = readEvery;
        return (session, loader);
    }

    private static long ReadsOfARun(string dir, TrainingSessionOptions options)
    {
        var (session, loader) = Start(dir, options, readEvery: 50);
        using (loader)
        using (session)
        {
            long before = HostReads.OnThisThread;
            while (session.Step()) { }
            session.Dispose();
            return HostReads.OnThisThread - before;
        }
    }

    [Fact]
    public void AQuantityAddedInTheOptionsWritesItsTableEveryFiveStepsWithTheMetricsLoss()
    {
        using var dir = new TempDirectory();
        var options = new TrainingSessionOptions();
        options.Quantities.Add(setup => new LossEveryFive(setup));
        var (session, loader) = Start(dir.Path, options);
        using (loader) session.Run();
        session.Dispose();

        var mine = TrajectoryReader.Read(Path.Combine(dir.Path, "loss5"));
        var metrics = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.MetricsFile));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => 5L * i), mine.Longs(TrajectorySchema.Step));
        var losses = metrics.Doubles(TrajectorySchema.Loss);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => losses[5 * i]), mine.Doubles("loss"));
    }

    [Fact]
    public void AQuantityOfYourOwnAddsNoHostReadToTheSessionsThree()
    {
        using var dir = new TempDirectory();
        var options = new TrainingSessionOptions();
        options.Quantities.Add(setup => new LossEveryFive(setup));
        long without = ReadsOfARun(Path.Combine(dir.Path, "without"), new TrainingSessionOptions());
        long with = ReadsOfARun(Path.Combine(dir.Path, "with"), options);
        // 120 steps read in chunks of 50: at steps 49 and 99 and at the end, whoever defers.
        Assert.Equal(3, without);
        Assert.Equal(3, with);
    }

    [Fact]
    public void DeclaringGraphGivesTheGradientsWithTheirGraphWhileGradHoldsNoneAndUndeclaredBuffersCannotBeRead()
    {
        using var dir = new TempDirectory();
        var graph = new Probe(QuantityNeeds.Graph);
        var plain = new Probe(QuantityNeeds.Velocity);
        var options = new TrainingSessionOptions();
        options.Quantities.Add(_ => graph);
        var (session, loader) = Start(Path.Combine(dir.Path, "graph"), options, steps: 3);
        using (loader) session.Run();
        session.Dispose();
        options = new TrainingSessionOptions();
        options.Quantities.Add(_ => plain);
        (session, loader) = Start(Path.Combine(dir.Path, "plain"), options, steps: 3);
        using (loader) session.Run();
        session.Dispose();

        Assert.Equal([true, true, true], graph.GradientHasGraph);
        Assert.Equal([false, false, false], plain.GradientHasGraph);
        // .grad never holds a graph: the optimizer updates from plain values (StepContext.Gradients).
        Assert.Equal([false, false, false], graph.GradHasGraph);
        Assert.Equal([false, false, false], plain.GradHasGraph);
        Assert.All(graph.MomentumRead, e => Assert.IsType<InvalidOperationException>(e));
        Assert.All(plain.MomentumRead, Assert.Null);
    }

    [Fact]
    public void TheBuiltInQuantitiesAreRegisteredLikeAnyOtherAndCanBeLeftOut()
    {
        using var dir = new TempDirectory();
        var options = new TrainingSessionOptions();
        options.Quantities.Clear();
        options.Quantities.Add(TrainingSessionOptions.BuiltIn[0]);
        var (session, loader) = Start(dir.Path, options, steps: 5);
        using (loader) session.Run();
        session.Dispose();

        Assert.Null(session.Tracker);
        Assert.Equal(5, TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.MetricsFile)).RowCount);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, TrajectorySchema.LayersFile)));
    }
}
