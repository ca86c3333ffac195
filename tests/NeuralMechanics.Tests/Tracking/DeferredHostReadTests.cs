using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// The tracker keeps each step's measurements on the device and brings them to the host once every
/// <see cref="SymmetryTracker.FlushEvery"/> steps (on CUDA a read every step would stall the queue
/// every step). Deferring must change nothing: the rows, errors and state are those of reading every step.
/// These trackers measure with tensor operations, as on a GPU (<c>HostKernel = false</c>); on the CPU
/// they would otherwise sum straight from memory and read nothing (<see cref="HostReductionTests"/>).
/// </summary>
[Collection(TorchRngCollection.Name)]
public class DeferredHostReadTests
{
    private const int Steps = 120, LogEvery = 10;

    /// <summary>
    /// An MLP with LayerNorm (translation, scale and rescale groups), momentum SGD, its trackers
    /// observing every step; returns each tracker's host reads within its Observe calls.
    /// </summary>
    internal static long[] Train(Func<SymmetryAnalysis, IOptimizer, List<(string, TorchSharp.Modules.Parameter)>, SymmetryTracker[]> trackers)
    {
        manual_seed(5);
        var zoo = ModelZoo.Create("mlp", [1, 8, 8], 10, new ModelOptions(Depth: 2, Hidden: 16, Norm: "layernorm"));
        var analysis = SymmetryDiscovery.Discover(zoo.Architecture);
        var named = zoo.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var optimizer = new SgdOptimizer(named, Settings);
        var all = trackers(analysis, optimizer, named);
        var x = randn([8, 1, 8, 8]);
        var y = randint(10, [8]);
        var reads = new long[all.Length];
        for (long step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            Trainer.ForwardBackward(zoo.Network, optimizer, x, y, LossKind.CrossEntropy);
            for (int i = 0; i < all.Length; i++)
            {
                long before = HostReads.OnThisThread;
                all[i].Observe(step, step % LogEvery == 0);
                reads[i] += HostReads.OnThisThread - before;
            }
            optimizer.Step();
        }
        zoo.Network.Dispose();
        return reads;
    }

    internal static readonly SgdSettings Settings = new(0.05, 5e-4, 0.9);

    [Fact]
    public void ObservingNStepsReadsTheHostOncePerChunkNotOncePerStep()
    {
        const int chunk = 50;
        SymmetryTracker? a = null, b = null;
        var reads = Train((analysis, optimizer, named) =>
        [
            a = new SymmetryTracker(analysis, optimizer, Settings, named, new TrackerSinks(null, null, null, null)) { FlushEvery = chunk, HostKernel = false },
            b = new SymmetryTracker(analysis, optimizer, Settings, named, new TrackerSinks(null, null, null, null)) { FlushEvery = 1, HostKernel = false },
        ]);
        long before = HostReads.OnThisThread;
        a!.Flush();
        long deferred = reads[0] + HostReads.OnThisThread - before, everyStep = reads[1];
        // ⌈N/K⌉ reads: at steps 50 and 100, and the flush of the last 20.
        Assert.Equal((Steps + chunk - 1) / chunk, deferred);
        // The counter sees every read: reading each step costs N.
        Assert.Equal(Steps, everyStep);
        Assert.True(b!.Groups > 0);
    }

    [Fact]
    public void DeferredRowsErrorsAndStateEqualReadingEveryStepBitForBit()
    {
        using var dir = new TempDirectory();
        var writers = new List<TrajectoryWriter>();
        TrackerSinks Sinks(string name)
        {
            string root = Path.Combine(dir.Path, name);
            TrajectoryWriter W(string file, IReadOnlyList<TrajectoryColumn> columns)
            {
                var w = new TrajectoryWriter(Path.Combine(root, file), columns);
                writers.Add(w);
                return w;
            }
            return new TrackerSinks(W(TrajectorySchema.LayersFile, TrajectorySchema.LayersColumns), W(TrajectorySchema.NeuronsFile, TrajectorySchema.NeuronsColumns),
                W(TrajectorySchema.SamplesFile, TrajectorySchema.SamplesColumns), null, W(TrajectorySchema.EquilibriumFile, TrajectorySchema.EquilibriumColumns));
        }
        SymmetryTracker? each = null, deferred = null;
        // 7 does not divide the log interval or the step count: chunks end anywhere.
        Train((analysis, optimizer, named) =>
        [
            each = new SymmetryTracker(analysis, optimizer, Settings, named, Sinks("each"), seed: 3) { FlushEvery = 1, HostKernel = false },
            deferred = new SymmetryTracker(analysis, optimizer, Settings, named, Sinks("deferred"), seed: 3) { FlushEvery = 7, HostKernel = false },
        ]);
        var stateEach = each!.SaveState();
        var stateDeferred = deferred!.SaveState();
        foreach (var w in writers) w.Dispose();

        Assert.Equal(stateEach.Keys.Order(), stateDeferred.Keys.Order());
        foreach (var (key, values) in stateEach) AssertBits(values, stateDeferred[key], $"state {key}");
        Assert.Equal(each.Errors.Rows(), deferred.Errors.Rows());
        foreach (var file in new[] { TrajectorySchema.LayersFile, TrajectorySchema.NeuronsFile, TrajectorySchema.SamplesFile, TrajectorySchema.EquilibriumFile })
        {
            var x = TrajectoryReader.Read(Path.Combine(dir.Path, "each", file));
            var y = TrajectoryReader.Read(Path.Combine(dir.Path, "deferred", file));
            Assert.True(x.RowCount > 0, $"{file}: no rows");
            Assert.Equal(x.RowCount, y.RowCount);
            Assert.Equal(x.Longs(TrajectorySchema.Step), y.Longs(TrajectorySchema.Step));
            foreach (var c in x.Columns.Where(c => c.Type == TrajectoryColumnType.Double))
                AssertBits(x.Doubles(c.Name), y.Doubles(c.Name), $"{file} {c.Name}");
        }
    }

    private static void AssertBits(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {expected.Length} values expected, {actual.Length} found");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"{what} [{i}]: expected {expected[i]:R}, found {actual[i]:R}");
    }
}
