using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// The sharpness λ_max (<see cref="Sharpness"/>, Lanczos on Hessian-vector products): the top
/// eigenvalue of a quadratic's known spectrum, of a small float64 network's dense Hessian, and a run
/// resumed from its checkpoint (the warm-start eigenvector) continues its table bit for bit.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class SharpnessTests
{
    // A = U diag(spectrum) Uᵀ with a random orthogonal U: the most negative eigenvalue (−10) is larger in
    // magnitude than the top one (7), which power iteration would find instead.
    private static (Tensor A, Tensor U) Quadratic(double[] spectrum)
    {
        var generator = new Generator(5);
        var (q, _) = linalg.qr(randn([spectrum.Length, spectrum.Length], dtype: ScalarType.Float64, generator: generator));
        var a = q.matmul(diag(tensor(spectrum, dtype: ScalarType.Float64))).matmul(q.T);
        return (a, q);
    }

    private static readonly double[] Spectrum = [.. Enumerable.Range(0, 28).Select(i => -3 + 9.0 * i / 28), -10, 7];

    [Fact]
    public void LanczosFindsTheTopEigenvalueSevenOfAQuadraticWhoseMostNegativeEigenvalueIsMinusTen()
    {
        using var scope = NewDisposeScope();
        var (a, _) = Quadratic(Spectrum);
        var start = ones([Spectrum.Length], dtype: ScalarType.Float64);
        // The tolerance bounds the eigenvalue's estimated error r²/gap: 1e-24 asks for a residual near 1e-12.
        var result = Lanczos.Top(v => a.matmul(v), start, tolerance: 1e-24, maxIterations: 30);
        Assert.True(Math.Abs(result.Value - 7) <= 1e-12 * 7, $"λ_max = {result.Value:R}");
        Assert.True(result.Residual <= 1e-12);
        // The Ritz vector is the eigenvector of 7 (the last column of U), up to sign.
        var (_, u) = Quadratic(Spectrum);
        double overlap = Math.Abs(result.Vector.dot(u[.., ^1]).ReadDouble());
        Assert.True(1 - overlap < 1e-12, $"1 − |⟨y, u⟩| = {1 - overlap:G3}");
    }

    [Fact]
    public void WarmStartedFromTheTopEigenvectorLanczosStopsAfterOneProduct()
    {
        using var scope = NewDisposeScope();
        var (a, u) = Quadratic(Spectrum);
        var result = Lanczos.Top(v => a.matmul(v), u[.., ^1].contiguous(), tolerance: 1e-8, maxIterations: 30);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(7, result.Value, 12);
    }

    // Linear(4, 5) → tanh → Linear(5, 3) in float64, cross-entropy on 16 fixed examples.
    private static (nn.Module<Tensor, Tensor> Network, Tensor X, Tensor Y) SmallNetwork()
    {
        manual_seed(11);
        var network = nn.Sequential(("fc1", nn.Linear(4, 5)), ("act", nn.Tanh()), ("fc2", nn.Linear(5, 3)));
        network.to(ScalarType.Float64);
        var generator = new Generator(12);
        var x = randn([16, 4], dtype: ScalarType.Float64, generator: generator);
        var y = randint(3, [16], generator: generator);
        return (network, x, y);
    }

    private static RunSpec Spec(string dir, long steps, OptimizerSettings optimizer) => new()
    {
        Model = "small", Data = "fixed", Optimizer = optimizer, BatchSize = 16, Steps = steps, LogEvery = 1, EvalEvery = 0, CheckpointEvery = 0, Track = false, OutDir = dir,
    };

    private static TrajectoryTable Train(string dir, nn.Module<Tensor, Tensor> network, Tensor x, Tensor y, long steps, long every, OptimizerSettings optimizer,
        double tolerance = Sharpness.DefaultTolerance, int maxIterations = Sharpness.DefaultMaxIterations, bool resume = false)
    {
        var options = new TrainingSessionOptions();
        options.Quantities.Add(setup => new Sharpness(setup, every, tolerance, maxIterations));
        var architecture = Architecture.Describe(network, [4], LossKind.CrossEntropy);
        var spec = Spec(dir, steps, optimizer);
        var batches = new FixedBatch(x, y);
        using (var session = resume ? TrainingSession.Resume(network, architecture, spec, batches, options: options)
                   : TrainingSession.Start(network, architecture, spec, batches, options: options))
            session.Run();
        return TrajectoryReader.Read(Path.Combine(dir, Sharpness.Folder));
    }

    private static double DenseTopEigenvalue(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        return linalg.eigvalsh(DenseHessian(network, x, y))[-1].ReadDouble();
    }

    private static Tensor DenseHessian(nn.Module<Tensor, Tensor> network, Tensor x, Tensor y)
    {
        var parameters = network.parameters().ToArray();
        var loss = nn.functional.cross_entropy(network.forward(x), y);
        var grads = autograd.grad([loss], parameters, create_graph: true, retain_graph: true);
        var flat = cat(grads.Select(g => g.reshape(-1)).ToArray());
        long n = flat.shape[0];
        var rows = new Tensor[n];
        for (long i = 0; i < n; i++)
            rows[i] = cat(autograd.grad([flat[i]], parameters, retain_graph: true).Select(t => t.reshape(-1)).ToArray());
        var hessian = stack(rows);
        Assert.True((hessian - hessian.T).abs().max().ReadDouble() < 1e-12);
        return hessian;
    }

    [Fact]
    public void TheSharpnessOfASmallFloat64NetworkIsItsDenseHessiansTopEigenvalueWithinOneInTenToTheEight()
    {
        using var dir = new TempDirectory();
        var (network, x, y) = SmallNetwork();
        double dense = DenseTopEigenvalue(network, x, y);
        var table = Train(dir.Path, network, x, y, steps: 1, every: 1, new SgdSettings(0.1), tolerance: 1e-20, maxIterations: 43);

        double measured = table.Doubles(Sharpness.LambdaMaxColumn)[0];
        Assert.Equal(0L, table.Longs(TrajectorySchema.Step)[0]);
        Assert.True(Math.Abs(measured - dense) <= 1e-8 * Math.Abs(dense), $"Lanczos {measured:R}, dense {dense:R}");
        Assert.Equal(2 / 0.1, table.Doubles(Sharpness.ThresholdColumn)[0], 12);
        Assert.True(table.Doubles(Sharpness.ResidualColumn)[0] <= 1e-10);
    }

    [Fact]
    public void WithWeightDecayTheSharpnessIsThatOfHPlusLambdaTimesTheIdentity()
    {
        using var dir = new TempDirectory();
        var (network, x, y) = SmallNetwork();
        double dense = DenseTopEigenvalue(network, x, y);
        var table = Train(dir.Path, network, x, y, steps: 1, every: 1, new SgdSettings(0.1, 0.25), tolerance: 1e-20, maxIterations: 43);
        Assert.True(Math.Abs(table.Doubles(Sharpness.LambdaMaxColumn)[0] - (dense + 0.25)) <= 1e-8 * dense);
    }

    [Fact]
    public void WithMomentumTheThresholdIsTwoTimesOnePlusBetaOverEta()
    {
        using var dir = new TempDirectory();
        var (network, x, y) = SmallNetwork();
        var table = Train(dir.Path, network, x, y, steps: 2, every: 1, new SgdSettings(0.1, 0, 0.9));
        Assert.All(table.Doubles(Sharpness.ThresholdColumn), t => Assert.Equal(2 * 1.9 / 0.1, t, 10));
    }

    [Fact]
    public void ARunResumedFromItsCheckpointWritesTheSameStabilityTableBitForBit()
    {
        using var dir = new TempDirectory();
        string whole = Path.Combine(dir.Path, "whole"), parts = Path.Combine(dir.Path, "parts");
        // A loose tolerance and few products: the warm start decides the values, so a lost eigenvector would show.
        var (network, x, y) = SmallNetwork();
        var expected = Train(whole, network, x, y, steps: 12, every: 3, new SgdSettings(0.5), tolerance: 1e-2, maxIterations: 3);
        (network, x, y) = SmallNetwork();
        Train(parts, network, x, y, steps: 7, every: 3, new SgdSettings(0.5), tolerance: 1e-2, maxIterations: 3);
        (network, x, y) = SmallNetwork();
        var resumed = Train(parts, network, x, y, steps: 12, every: 3, new SgdSettings(0.5), tolerance: 1e-2, maxIterations: 3, resume: true);

        Assert.Equal([0L, 3, 6, 9, 12], expected.Longs(TrajectorySchema.Step));
        Assert.Equal(expected.Longs(TrajectorySchema.Step), resumed.Longs(TrajectorySchema.Step));
        Assert.Equal(expected.Doubles(Sharpness.LambdaMaxColumn), resumed.Doubles(Sharpness.LambdaMaxColumn));
        Assert.Equal(expected.Ints(Sharpness.IterationsColumn), resumed.Ints(Sharpness.IterationsColumn));
    }

    [Fact]
    public void AReportOfARunWithAStabilityTableDrawsTheSharpnessFigureAndTabulatesTheLastLambdaMaxOverTheThreshold()
    {
        using var dir = new TempDirectory();
        string run = Path.Combine(dir.Path, "run");
        var (network, x, y) = SmallNetwork();
        var table = Train(run, network, x, y, steps: 4, every: 2, new SgdSettings(0.1));
        var summary = NeuralMechanics.Reporting.Reporter.Write([run], Path.Combine(dir.Path, "report"));

        Assert.True(summary.Figures.Single(f => f.Id == "sharpness").IsWritten);
        var lambda = table.Doubles(Sharpness.LambdaMaxColumn);
        string ratio = (lambda[^1] / (2 / 0.1)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var markdown = File.ReadAllLines(Path.Combine(dir.Path, "report", "report.md"));
        var row = Assert.Single(markdown, l => l.StartsWith("| run | 3 |", StringComparison.Ordinal));
        Assert.Contains($"| {ratio} |", row);
    }

    // After Adam's first update (k = 1): m̂ = g₀, v̂ = g₀², θ₁ = θ₀ − η·g₀/(|g₀| + ε), and the preconditioner at
    // step 1 is P = (1 − β₁)(√v̂ + ε) = (1 − β₁)(|g₀| + ε); the sharpness is the top eigenvalue of P⁻¹H(θ₁),
    // that of the symmetric P^{-1/2} H P^{-1/2}, here from the dense float64 Hessian.
    [Fact]
    public void AdamsPreconditionedSharpnessIsTheTopEigenvalueOfTheDenseSymmetricPreconditionedHessianWithinOneInTenToTheEight()
    {
        const double eta = 0.01, beta1 = 0.9, eps = 1e-8;
        using var dir = new TempDirectory();
        double dense;
        using (var scope = NewDisposeScope())
        {
            var (reference, x0, y0) = SmallNetwork();
            var parameters = reference.parameters().ToArray();
            var g0 = autograd.grad([nn.functional.cross_entropy(reference.forward(x0), y0)], parameters).Select(g => g.detach()).ToArray();
            using Scalar epsilon = eps, step = eta, firstMoment = 1 - beta1;
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++) parameters[i].sub_(g0[i] / (g0[i].abs() + epsilon) * step);
            var p = cat(g0.Select(g => (g.abs() + epsilon).reshape(-1) * firstMoment).ToArray());
            var h = DenseHessian(reference, x0, y0);
            var scale = p.rsqrt();
            dense = linalg.eigvalsh(scale.unsqueeze(1) * h * scale.unsqueeze(0))[-1].ReadDouble();
        }
        var (network, x, y) = SmallNetwork();
        var adam = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = eta, Eps = eps };
        var table = Train(dir.Path, network, x, y, steps: 2, every: 1, adam, tolerance: 1e-20, maxIterations: 43);
        Assert.True(double.IsNaN(table.Doubles(Sharpness.LambdaMaxColumn)[0]));
        double measured = table.Doubles(Sharpness.LambdaMaxColumn)[1];
        Assert.True(Math.Abs(measured - dense) <= 1e-8 * Math.Abs(dense), $"Lanczos {measured:R}, dense {dense:R}");
    }

    // The noise scale runs per-example backward passes through the step's graph, which the sharpness's
    // products also go through: measuring one must not change the other.
    [Fact]
    public void WithTheNoiseScaleOnTheSameStepsTheSharpnessLeavesTheNoiseTableAsWithoutIt()
    {
        using var dir = new TempDirectory();
        TrajectoryTable Noise(string run, bool sharpness)
        {
            var (network, x, y) = SmallNetwork();
            // First in the list: the sharpness computes before the noise scale on each step.
            var options = new TrainingSessionOptions();
            if (sharpness) options.Quantities.Insert(0, setup => new Sharpness(setup, 1));
            var spec = Spec(run, 3, new SgdSettings(0.1)) with { NoiseEvery = 1 };
            using (var session = TrainingSession.Start(network, Architecture.Describe(network, [4], LossKind.CrossEntropy), spec, new FixedBatch(x, y), options: options))
                session.Run();
            return TrajectoryReader.Read(Path.Combine(run, GradientNoise.Folder));
        }
        var without = Noise(Path.Combine(dir.Path, "without"), sharpness: false);
        var with = Noise(Path.Combine(dir.Path, "with"), sharpness: true);
        Assert.Equal(4, with.RowCount); // steps 0, 1, 2 and the state after the last update
        Assert.Equal(without.Doubles(GradientNoise.BSimpleColumn), with.Doubles(GradientNoise.BSimpleColumn));
    }

    // Linear(4, 16) → ReLU → Linear(16, 3) in float32, the precision runs train in.
    private static (nn.Module<Tensor, Tensor> Network, Tensor X, Tensor Y) ReluNetwork()
    {
        manual_seed(13);
        var network = nn.Sequential(("fc1", nn.Linear(4, 16)), ("act", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
        var generator = new Generator(14);
        var x = randn([16, 4], generator: generator);
        var y = randint(3, [16], generator: generator);
        return (network, x, y);
    }

    private static TrainingSession Session(string dir, nn.Module<Tensor, Tensor> network, Tensor x, Tensor y, long steps, long sharpnessEvery)
    {
        var spec = Spec(dir, steps, new SgdSettings(0.1, 1e-3, 0.9)) with { SharpnessEvery = (int)sharpnessEvery };
        return TrainingSession.Start(network, Architecture.Describe(network, [4], LossKind.CrossEntropy), spec, new FixedBatch(x, y));
    }

    // The products go through the step's gradients with their graph (autograd.grad on the one forward pass),
    // and .grad gets the same values: the update, so every parameter, is as if nothing were measured.
    [Fact]
    public void ARunMeasuringTheSharpnessEveryStepHasEveryParameterBitForBitAsARunWithoutIt()
    {
        using var dir = new TempDirectory();
        float[][] Parameters(string run, long every)
        {
            var (network, x, y) = ReluNetwork();
            using (var session = Session(Path.Combine(dir.Path, run), network, x, y, steps: 20, every))
                session.Run();
            return network.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray();
        }
        var without = Parameters("without", 0);
        var with = Parameters("with", 1);
        Assert.Equal(without.Length, with.Length);
        for (int i = 0; i < without.Length; i++) Assert.Equal(without[i], with[i]);
        Assert.Equal(21, TrajectoryReader.Read(Path.Combine(dir.Path, "with", Sharpness.Folder)).RowCount);
    }

    // backward(create_graph: true) would leave a graph in each .grad (referring back to its parameter: a
    // reference cycle); the gradients with their graph are the step's, so after a step no .grad requires
    // grad, and the live tensors do not grow with the steps measured.
    [Fact]
    public void OverFortyMeasuredStepsNoGradientHoldsAGraphAndTheLiveTensorCountStaysFlat()
    {
        using var dir = new TempDirectory();
        var (network, x, y) = ReluNetwork();
        using var session = Session(dir.Path, network, x, y, steps: 60, sharpnessEvery: 1);
        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 10; i++) Assert.True(session.Step());
        long after10 = Live();
        for (int i = 0; i < 40; i++)
        {
            Assert.True(session.Step());
            using var scope = NewDisposeScope();
            foreach (var p in network.parameters()) Assert.False(p.grad!.requires_grad, $"step {session.StepIndex}: a .grad holds a graph");
        }
        Assert.Equal(after10, Live());
    }
}
