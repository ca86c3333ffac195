using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// The gradient noise scale (<see cref="GradientNoise"/>) of a linear regression with known input
/// noise: f(x) = wx + b with w = 0, b = 1 + c against the target 1 (one output, mean-squared error), so
/// the per-example gradient is gᵢ = 2c(xᵢ, 1): G = (0, 2c), tr Σ = 4c²σ² and B_simple = σ² for inputs
/// of variance σ².
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class GradientNoiseTests
{
    private const double C = 0.5;

    private static Linear Regression()
    {
        var linear = nn.Linear(1, 1, dtype: ScalarType.Float64);
        using Scalar bias = 1 + C;
        using (no_grad())
        {
            linear.weight!.zero_();
            linear.bias!.fill_(bias);
        }
        return linear;
    }

    [Fact]
    public void OnABatchWithInputsPlusMinusSigmaTheRowIsTheClosedFormOfTheUnbiasedEstimators()
    {
        using var dir = new TempDirectory();
        const int batch = 8;
        const double sigma = 0.5;
        var network = Regression();
        var x = tensor(Enumerable.Range(0, batch).Select(i => i % 2 == 0 ? sigma : -sigma).ToArray(), dtype: ScalarType.Float64).reshape(batch, 1);
        var y = zeros([batch], dtype: ScalarType.Int64);
        var spec = new RunSpec
        {
            Model = "regression", Data = "fixed", Loss = LossKind.MeanSquaredError, Optimizer = new SgdSettings(1e-3), BatchSize = batch, Steps = 1,
            LogEvery = 1, EvalEvery = 0, CheckpointEvery = 0, Track = false, NoiseEvery = 1, OutDir = dir.Path,
        };
        using (var session = TrainingSession.Start(network, Architecture.Describe(network, [1], LossKind.MeanSquaredError), spec, new FixedBatch(x, y)))
            session.Run();

        var table = TrajectoryReader.Read(Path.Combine(dir.Path, GradientNoise.Folder));
        Assert.Equal(GradientNoise.Columns, table.Columns);
        Assert.Equal(0L, table.Longs(TrajectorySchema.Step)[0]);
        Assert.Equal(batch, table.Ints(GradientNoise.BatchColumn)[0]);
        // mean|gᵢ|² = 4c²(1 + σ²), |ḡ|² = 4c² (the inputs average to 0, their mean square is σ²).
        double b = batch, c2 = 4 * C * C, s2 = sigma * sigma;
        Assert.Equal(b / (b - 1) * c2 * s2, table.Doubles(GradientNoise.TraceSigmaColumn)[0], 13);
        Assert.Equal(c2 * (b - 1 - s2) / (b - 1), table.Doubles(GradientNoise.GradientNormSquaredColumn)[0], 13);
        Assert.Equal(s2 * b / (b - 1 - s2), table.Doubles(GradientNoise.BSimpleColumn)[0], 12);
    }

    [Fact]
    public void OverManyBatchesOfFourTheEstimatesAverageToTraceSigmaFourCSquaredSigmaSquaredAndGradientNormFourCSquared()
    {
        // Unbiased: the plain |ḡ|² would average 4c²(1 + σ²/B), 25 % high at σ² = 1, B = 4.
        const int batch = 4, batches = 3000;
        const double sigma = 1;
        var network = Regression();
        var parameters = network.parameters().ToList();
        var generator = new Generator(21);
        var traces = new double[batches];
        var norms = new double[batches];
        for (int k = 0; k < batches; k++)
        {
            using var scope = NewDisposeScope();
            using Scalar scale = sigma;
            var x = randn([batch, 1], dtype: ScalarType.Float64, generator: generator).mul(scale);
            var perExample = SymmetryVerifier.PerExampleLoss(network.forward(x), zeros([batch], dtype: ScalarType.Int64), LossKind.MeanSquaredError);
            var moments = HostReads.ToDoubles(GradientNoise.Moments(parameters, perExample));
            (traces[k], norms[k], _) = GradientNoise.Estimate(batch, moments[0], moments[1]);
        }
        AssertMean(traces, 4 * C * C * sigma * sigma);
        AssertMean(norms, 4 * C * C);
    }

    private static void AssertMean(double[] samples, double expected)
    {
        double mean = samples.Average();
        double se = Math.Sqrt(samples.Sum(s => (s - mean) * (s - mean)) / (samples.Length - 1) / samples.Length);
        Assert.True(se < 0.05 * expected, $"standard error {se:G3} too large to tell a 25 % bias");
        Assert.True(Math.Abs(mean - expected) < 5 * se, $"mean {mean:G6}, expected {expected:G6} ± {se:G3}");
    }

    [Fact]
    public void AReportOfARunWithANoiseTableDrawsBSimpleAgainstStepAndNamesTheEstimator()
    {
        using var dir = new TempDirectory();
        string run = Path.Combine(dir.Path, "run");
        const int batch = 8;
        var network = Regression();
        var x = tensor(Enumerable.Range(0, batch).Select(i => i % 2 == 0 ? 0.5 : -0.5).ToArray(), dtype: ScalarType.Float64).reshape(batch, 1);
        var spec = new RunSpec
        {
            Model = "regression", Data = "fixed", Loss = LossKind.MeanSquaredError, Optimizer = new SgdSettings(1e-3), BatchSize = batch, Steps = 4,
            LogEvery = 1, EvalEvery = 0, CheckpointEvery = 0, Track = false, NoiseEvery = 2, OutDir = run,
        };
        using (var session = TrainingSession.Start(network, Architecture.Describe(network, [1], LossKind.MeanSquaredError), spec, new FixedBatch(x, zeros([batch], dtype: ScalarType.Int64))))
            session.Run();
        var summary = NeuralMechanics.Reporting.Reporter.Write([run], Path.Combine(dir.Path, "report"));

        var figure = summary.Figures.Single(f => f.Id == "noise");
        Assert.True(figure.IsWritten);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(dir.Path, "report"), "noise.png", SearchOption.AllDirectories));
        string markdown = File.ReadAllText(Path.Combine(dir.Path, "report", "report.md"));
        Assert.Contains("McCandlish et al. 2018", markdown);
        Assert.Contains("Appendix A.1", markdown);
    }
}
