using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// On the CPU the tracker sums every field straight from the tensors' memory (<see cref="UnitSums"/>)
/// instead of with tensor operations. The fields are formed in float32 as libtorch forms them and
/// summed in float64; only the order of the float64 additions differs, so every sum must equal
/// libtorch's to a few ulps of its terms, and a whole tracked run must equal the tensor path's to rounding.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class HostReductionTests
{
    /// <summary>libtorch's field, formed as StepReductions forms it on the tensor path.</summary>
    private static Tensor LibtorchField(StepField field, Tensor theta, Tensor grad, Tensor velocity, Tensor update) => field switch
    {
        StepField.Theta => theta,
        StepField.ThetaAbs => theta.abs(),
        StepField.ThetaSquared => theta * theta,
        StepField.GradSquared => grad * grad,
        StepField.VelocitySquared => velocity * velocity,
        StepField.GradTheta => grad * theta,
        StepField.Update => update,
        StepField.UpdateSquared => update * update,
        StepField.PreviousThetaUpdate => (theta - update) * update,
        _ => update * velocity,
    };

    private static StepInputs Memory(Tensor theta, Tensor grad, Tensor velocity, Tensor update)
    {
        Assert.True(HostMemory.TryGetSingles(theta, out var t) & HostMemory.TryGetSingles(grad, out var g)
            & HostMemory.TryGetSingles(velocity, out var v) & HostMemory.TryGetSingles(update, out var d));
        return new StepInputs(t, g, v, d);
    }

    public static TheoryData<string, int, int, int> Geometries()
    {
        var data = new TheoryData<string, int, int, int>();
        // A bias (its own per-unit value), linear rows and columns, a convolution's input channels
        // (short runs), long runs with an outer dimension, a whole tensor; lengths not multiples of 8.
        (int, int, int)[] shapes = [(1, 7, 1), (1, 5, 37), (13, 11, 1), (6, 4, 9), (3, 5, 40), (1, 1, 101)];
        foreach (var field in Enum.GetValues<StepField>())
            foreach (var (o, u, i) in shapes) data.Add(field.ToString(), o, u, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void HostSumsEqualLibtorchsFloat64SumsOfTheFloat32Field(string fieldName, int outer, int units, int inner)
    {
        var field = Enum.Parse<StepField>(fieldName);
        manual_seed(11);
        long n = (long)outer * units * inner;
        using Scalar small = 0.01;
        Tensor theta = randn(n), grad = randn(n), velocity = randn(n), update = randn(n).mul(small);
        var f = LibtorchField(field, theta, grad, velocity, update);
        var (expected, scale) = Float64Sums(f.view(outer, units, inner), [0L, 2L]);

        var actual = new double[units];
        UnitSums.Sum(field, Memory(theta, grad, velocity, update), new UnitGeometry(outer, units, inner), actual);

        WithinRounding($"{field} {outer}×{units}×{inner}, unit", expected, actual, scale);
    }

    public static TheoryData<string, int, int, int> RowsAndColumns()
    {
        var data = new TheoryData<string, int, int, int>();
        // Runs of 9: a convolution's 3×3 per input channel, its sum per channel.
        foreach (var field in Enum.GetValues<StepField>())
            foreach (var (rows, width, run) in new[] { (7, 37, 1), (5, 16, 1), (3, 3, 1), (4, 45, 9) }) data.Add(field.ToString(), rows, width, run);
        return data;
    }

    [Theory]
    [MemberData(nameof(RowsAndColumns))]
    public void RowsAndColumnsInOnePassEqualLibtorchsTwoSums(string fieldName, int rows, int width, int run)
    {
        var field = Enum.Parse<StepField>(fieldName);
        manual_seed(12);
        long n = (long)rows * width;
        Tensor theta = randn(n), grad = randn(n), velocity = randn(n), update = randn(n);
        var f = LibtorchField(field, theta, grad, velocity, update);
        var (expectedRows, scaleRows) = Float64Sums(f.view(rows, width), [1L]);
        var (expectedColumns, scaleColumns) = Float64Sums(f.view(rows, width / run, run), [0L, 2L]);

        var actualRows = new double[rows];
        var actualColumns = new double[width / run];
        UnitSums.SumRowsAndColumns(field, Memory(theta, grad, velocity, update), rows, width, actualRows, actualColumns, run);

        WithinRounding($"{field} row", expectedRows, actualRows, scaleRows);
        WithinRounding($"{field} column", expectedColumns, actualColumns, scaleColumns);
    }

    /// <summary>libtorch's float64 sums of <paramref name="view"/> over <paramref name="dims"/>, and the sums of its absolute values (the size of the terms).</summary>
    private static (double[] Sums, double[] Scale) Float64Sums(Tensor view, long[] dims) =>
        (view.sum(dims, type: ScalarType.Float64).data<double>().ToArray(), view.abs().sum(dims, type: ScalarType.Float64).data<double>().ToArray());

    // Each host sum within 1e-14 of its terms' size of libtorch's: only the order of the float64 additions differs.
    private static void WithinRounding(string what, double[] expected, double[] actual, double[] scale)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-14 * scale[k], $"{what} {k}: libtorch {expected[k]:R}, host {actual[k]:R}");
    }

    [Fact]
    public void AFieldWhoseTensorDoesNotExistYetIsZero()
    {
        using var theta = randn(12);
        Assert.True(HostMemory.TryGetSingles(theta, out var t));
        var into = new double[] { 1, 2, 3 };
        // Before the first step there is no momentum buffer: v² sums to 0, as zeros_like would.
        UnitSums.Sum(StepField.VelocitySquared, new StepInputs(t, default, default, default), new UnitGeometry(1, 3, 4), into);
        Assert.Equal([0.0, 0.0, 0.0], into);
    }

    [Fact]
    public void OnlyContiguousFloat32CpuMemoryIsReadInPlace()
    {
        using var matrix = randn(4, 6);
        Assert.True(HostMemory.TryGetSingles(matrix, out var values));
        Assert.Equal(24, values.Length);
        Assert.Equal(matrix[1, 2].ReadSingle(), values[1 * 6 + 2]);
        using var transposed = matrix.t();
        Assert.False(HostMemory.TryGetSingles(transposed, out _));
        using var doubles = matrix.to(ScalarType.Float64);
        Assert.False(HostMemory.TryGetSingles(doubles, out _));
        Assert.False(HostMemory.TryGetSingles(null, out _));
    }

    [Fact]
    public void APartOfAConcatenationReadsItsRangeOfTheReadersWholeReductionOnTheHostAndTheDevice()
    {
        manual_seed(3);
        // A Linear reading 7 channels × 16 positions; the part from channel 2 is 5 channels wide (expand3x3's, behind a concatenation).
        var weight = new TorchSharp.Modules.Parameter(randn(3, 7 * 16));
        var whole = new UnitSlice("fc", "weight", weight, [3, 7, 16], 1);
        var part = whole with { From = 2, Take = 5 };
        var reductions = new StepReductions();
        var wholeSlot = reductions.Add(StepField.ThetaSquared, whole);
        var partSlot = reductions.Add(StepField.ThetaSquared, part);
        reductions.Seal();
        // One reduction of 7 sums, shared: the part's slot is 5 of them from the third.
        Assert.Equal(7, reductions.Length);
        Assert.Equal((wholeSlot.Start + 2, 5), (partSlot.Start, partSlot.Length));
        using var square = weight.detach().square();
        using var reduced = part.Reduce(square);
        var expected = reduced.data<double>().ToArray();
        // Σ of 3·16 squares per channel, summed in the view's order by libtorch and the host.
        var (_, scale) = Float64Sums(square.view(3, 7, 16).narrow(1, 2, 5), [0L, 2L]);
        var device = reductions.Measure(_ => null);
        Assert.True(reductions.TryMeasureOnHost(_ => null, null, out var host));
        WithinRounding("device part", expected, device[partSlot.Start..(partSlot.Start + 5)], scale);
        WithinRounding("host part", expected, host[partSlot.Start..(partSlot.Start + 5)], scale);
    }

    public static TheoryData<string, string> Runs => new()
    {
        // Model, optimizer: between them every field the tracker forms (θ, |θ|, θ², g², g·θ, v², Δθ, Δθ²,
        // (θ−Δθ)·Δθ, Δθ·v), per-class sums of mixed weight decay, convolutions' short runs.
        { "mlp-layernorm", "sgd" },
        { "mlp-layernorm", "momentum" },
        { "mlp-layernorm", "nesterov" },
        { "mlp-layernorm", "adam" },
        { "mlp-layernorm", "adamw" },
        { "mlp-layernorm", "sgd-no-decay-on-bias" },
        { "vgg11-bn", "momentum" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void ATrackerSummingOnTheHostEqualsOneUsingTensorOperationsToRounding(string model, string optimizer)
    {
        var settings = optimizer switch
        {
            "sgd" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4 },
            "momentum" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9 },
            "nesterov" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9, Nesterov = true },
            "adam" => new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 5e-4 },
            "adamw" => new OptimizerSettings { Kind = OptimizerKind.AdamW, LearningRate = 1e-3, WeightDecay = 1e-2 },
            _ => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, NoDecay = DecayExclusion.Bias },
        };
        manual_seed(5);
        bool vgg = model.StartsWith("vgg", StringComparison.Ordinal);
        long[] shape = vgg ? [3, 16, 16] : [1, 8, 8];
        var zoo = vgg
            ? ModelZoo.Create("vgg11-bn", shape, 10, new ModelOptions(Width: 1.0 / 16))
            : ModelZoo.Create("mlp", shape, 10, new ModelOptions(Depth: 2, Hidden: 16, Norm: "layernorm"));
        var analysis = SymmetryDiscovery.Discover(zoo.Architecture);
        var named = zoo.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var opt = Optimizers.Create(zoo.Network, settings);
        var sinks = new TrackerSinks(null, null, null, null);
        var host = new SymmetryTracker(analysis, opt, settings, named, sinks);
        var device = new SymmetryTracker(analysis, opt, settings, named, sinks) { FlushEvery = 1, HostKernel = false };
        var x = randn([8, .. shape]);
        var y = randint(10, [8]);
        long hostReads = 0;
        for (long step = 0; step < 12; step++)
        {
            using var scope = NewDisposeScope();
            Trainer.ForwardBackward(zoo.Network, opt, x, y, LossKind.CrossEntropy);
            long before = HostReads.OnThisThread;
            host.Observe(step, true);
            hostReads += HostReads.OnThisThread - before;
            device.Observe(step, true);
            opt.Step();
        }
        zoo.Network.Dispose();

        // Summing host memory reads nothing through the counted path.
        Assert.Equal(0, hostReads);
        var a = host.SaveState();
        var b = device.SaveState();
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        int compared = 0;
        foreach (var (key, expected) in b.Where(kv => !kv.Key.StartsWith("errors/", StringComparison.Ordinal)))
        {
            var actual = a[key];
            Assert.Equal(expected.Length, actual.Length);
            // Differences of O(1) terms (a rescale Q) can sit near zero: their rounding is the terms' size.
            double size = expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            for (int i = 0; i < expected.Length; i++)
            {
                if (double.IsNaN(expected[i])) { Assert.True(double.IsNaN(actual[i]), $"{key} [{i}]: NaN expected, found {actual[i]:R}"); continue; }
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-11 * Math.Abs(expected[i]) + 1e-13 * size,
                    $"{key} [{i}]: tensor path {expected[i]:R}, host {actual[i]:R}");
                compared++;
            }
        }
        Assert.True(compared > 20, $"only {compared} values compared");
    }
}
