using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

[Collection(TorchRngCollection.Name)]
public class MatrixChargesTests
{
    private const double Eta = 0.3, Lambda = 0.01;
    private const int Steps = 8;

    // A ViT with one block of two heads (d_h = 4), trained by hand with θ ← (1−ηλ)θ − ηg; the
    // tracker is replaced by a fresh one restored from its state at step switchAt (never when < 0).
    private static (TrajectoryTable Charges, TrajectoryTable Matrices) Train(string dir, int switchAt = -1)
    {
        torch.manual_seed(2);
        var model = ModelZoo.Create("vit", [1, 8, 8], 3, new ModelOptions(Depth: 1, Patch: 4, Dim: 8, Heads: 2, Init: Initialisation.Reference), dtype: ScalarType.Float64);
        var generator = new Generator(8);
        var x = randn([5, 1, 8, 8], dtype: ScalarType.Float64, generator: generator);
        var y = randint(3, [5], generator: generator);
        OptimizerSettings settings = new SgdSettings(Eta, Lambda);
        MatrixCharges Open() => new(model.Architecture, settings, new TrajectoryWriter(Path.Combine(dir, "charges"), TrajectorySchema.ChargesColumns),
            new TrajectoryWriter(Path.Combine(dir, "matrices"), TrajectorySchema.ChargeMatricesColumns));
        var charges = Open();
        using Scalar decay = 1 - Eta * Lambda, eta = Eta;
        for (int n = 0; n <= Steps; n++)
        {
            if (n == switchAt)
            {
                var state = charges.SaveState();
                charges.Dispose();
                charges = Open();
                charges.LoadState(state);
            }
            foreach (var p in model.Network.parameters()) p.grad?.zero_();
            nn.functional.cross_entropy(model.Network.forward(x), y).backward();
            charges.Observe(n, n % 4 == 0);
            using (no_grad())
                foreach (var p in model.Network.parameters()) p.mul_(decay).sub_(p.grad! * eta);
        }
        charges.Flush();
        charges.Dispose();
        return (TrajectoryReader.Read(Path.Combine(dir, "charges")), TrajectoryReader.Read(Path.Combine(dir, "matrices")));
    }

    [Fact]
    public void TheDiscretePredictionOfEveryHeadsChargesHoldsToRoundingWhileGradientFlowDrifts()
    {
        using var dir = new TempDirectory();
        var (charges, matrices) = Train(dir.Path);
        Assert.Equal((Steps + 1) * 2 * 2, charges.RowCount); // steps × {qk, vo} × heads
        var layers = charges.Strings(TrajectorySchema.Layer);
        Assert.Equal(["blocks.0.attn.attention.h0", "blocks.0.attn.attention.h1"], layers.Distinct().Order());
        var discrete = charges.Doubles(TrajectorySchema.Discrete);
        var flow = charges.Doubles(TrajectorySchema.GradientFlow);
        var terms = charges.Doubles(TrajectorySchema.Terms);
        var steps = charges.Longs(TrajectorySchema.Step);
        for (int i = 0; i < charges.RowCount; i++)
            Assert.True(discrete[i] / terms[i] < 1e-13, $"row {i}: discrete error {discrete[i] / terms[i]:G3}");
        Assert.All(Enumerable.Range(0, charges.RowCount).Where(i => steps[i] == Steps), i => Assert.True(flow[i] / terms[i] > 1e-6));
        // The upper triangle of 4 × 4 matrices (10 entries), of both charges of both heads, at steps 0, 4 and 8.
        Assert.Equal(3 * 2 * 2 * 10, matrices.RowCount);
        Assert.Equal([0L, 4, 8], matrices.Longs(TrajectorySchema.Step).Distinct());
        var measured = matrices.Doubles(TrajectorySchema.Empirical);
        var predicted = matrices.Doubles(TrajectorySchema.Discrete);
        Assert.All(Enumerable.Range(0, matrices.RowCount), i => Assert.Equal(measured[i], predicted[i], 12));
    }

    [Fact]
    public void ATrackerRestoredFromItsStateContinuesBitForBit()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var whole = Train(a.Path).Charges;
        var resumed = Train(b.Path, switchAt: 5).Charges;
        foreach (var column in new[] { TrajectorySchema.Empirical, TrajectorySchema.GradientFlow, TrajectorySchema.Continuous, TrajectorySchema.Discrete })
            Assert.Equal(whole.Doubles(column), resumed.Doubles(column));
    }

    [Fact]
    public void TheHostKernelWritesTheTensorFormsChargesNormsMatricesAndPredictionsToRounding()
    {
        // One float32 run (the host kernel reads float32 CPU memory) observed by both kernels at every step.
        using var dir = new TempDirectory();
        torch.manual_seed(3);
        var model = ModelZoo.Create("vit", [1, 8, 8], 3, new ModelOptions(Depth: 2, Patch: 4, Dim: 8, Heads: 2));
        var generator = new Generator(9);
        var x = randn([5, 1, 8, 8], generator: generator);
        var y = randint(3, [5], generator: generator);
        OptimizerSettings settings = new SgdSettings(Eta, Lambda);
        MatrixCharges Open(string name, bool host) => new(model.Architecture, settings,
            new TrajectoryWriter(Path.Combine(dir.Path, name, "charges"), TrajectorySchema.ChargesColumns),
            new TrajectoryWriter(Path.Combine(dir.Path, name, "matrices"), TrajectorySchema.ChargeMatricesColumns)) { HostKernel = host };
        var onHost = Open("host", true);
        var tensorForm = Open("tensor", false);
        using Scalar decay = 1 - Eta * Lambda, eta = Eta;
        for (int n = 0; n <= Steps; n++)
        {
            foreach (var p in model.Network.parameters()) p.grad?.zero_();
            nn.functional.cross_entropy(model.Network.forward(x), y).backward();
            onHost.Observe(n, n % 4 == 0);
            tensorForm.Observe(n, n % 4 == 0);
            Assert.True(onHost.ObservedOnHost);
            Assert.False(tensorForm.ObservedOnHost);
            using (no_grad())
                foreach (var p in model.Network.parameters()) p.mul_(decay).sub_(p.grad! * eta);
        }
        var hostState = onHost.SaveState();
        var tensorState = tensorForm.SaveState();
        onHost.Dispose();
        tensorForm.Dispose();
        var a = TrajectoryReader.Read(Path.Combine(dir.Path, "host", "charges"));
        var b = TrajectoryReader.Read(Path.Combine(dir.Path, "tensor", "charges"));
        Assert.Equal((Steps + 1) * 2 * 2 * 2, a.RowCount); // steps × blocks × {qk, vo} × heads
        Assert.Equal(b.Strings(TrajectorySchema.Layer), a.Strings(TrajectorySchema.Layer));
        Assert.Equal(b.Longs(TrajectorySchema.Step), a.Longs(TrajectorySchema.Step));
        var terms = b.Doubles(TrajectorySchema.Terms);
        foreach (var column in new[] { TrajectorySchema.Empirical, TrajectorySchema.GradientFlow, TrajectorySchema.Continuous, TrajectorySchema.Discrete, TrajectorySchema.Terms })
        {
            var (u, v) = (a.Doubles(column), b.Doubles(column));
            for (int i = 0; i < a.RowCount; i++)
                Assert.True(Math.Abs(u[i] - v[i]) <= 1e-12 * terms[i], $"{column}, row {i}: host {u[i]:R}, tensor form {v[i]:R}");
        }
        // The discrete law holds on the host kernel's predictions to the float32 updates' rounding (float64 runs: 1e-13, above).
        var discrete = a.Doubles(TrajectorySchema.Discrete);
        for (int i = 0; i < a.RowCount; i++) Assert.True(discrete[i] / terms[i] < 1e-5, $"row {i}: discrete error {discrete[i] / terms[i]:G3}");
        double scale = terms.Max();
        var ma = TrajectoryReader.Read(Path.Combine(dir.Path, "host", "matrices"));
        var mb = TrajectoryReader.Read(Path.Combine(dir.Path, "tensor", "matrices"));
        Assert.Equal(3 * 2 * 2 * 2 * 10, ma.RowCount); // steps 0, 4, 8 × blocks × charges × heads × the 10 entries of a 4 × 4 upper triangle
        foreach (var column in new[] { TrajectorySchema.Empirical, TrajectorySchema.Discrete })
        {
            var (u, v) = (ma.Doubles(column), mb.Doubles(column));
            Assert.All(Enumerable.Range(0, ma.RowCount), i => Assert.True(Math.Abs(u[i] - v[i]) <= 1e-12 * scale, $"{column}, row {i}: {u[i]:R} vs {v[i]:R}"));
        }
        Assert.Equal(tensorState.Keys.Order(), hostState.Keys.Order());
        foreach (var (key, values) in tensorState)
            Assert.All(values.Zip(hostState[key]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-12 * scale, $"{key}: {p.First:R} vs {p.Second:R}"));
    }
}
