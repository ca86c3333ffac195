using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry;

[Collection(TorchRngCollection.Name)]
public class SymmetryVerifierTests
{
    private static IReadOnlyList<VerificationResult> VerifyZoo(string name, long[] shape, int classes, ModelOptions options,
        LossKind loss = LossKind.CrossEntropy, ScalarType dtype = ScalarType.Float32)
    {
        torch.manual_seed(7);
        var model = ModelZoo.Create(name, shape, classes, options, loss, dtype);
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var x = randn([8, .. shape], dtype: dtype);
        var y = randint(classes, [8]);
        return SymmetryVerifier.Verify(model.Network, analysis, x, y);
    }

    [Fact]
    public void EveryExactSymmetryOfABatchNormVggPassesAllFourChecksInDoublePrecision()
    {
        var results = VerifyZoo("vgg11-bn", [3, 16, 16], 5, new ModelOptions(Width: 1.0 / 16), dtype: ScalarType.Float64);
        Assert.Contains(results, r => r.Kind == SymmetryKind.Scale);
        Assert.Contains(results, r => r.Kind == SymmetryKind.Rescale);
        Assert.Contains(results, r => r.Kind == SymmetryKind.Translation);
        foreach (var r in results.Where(r => r.Exact))
        {
            Assert.True(r.Invariance < 1e-9, $"{r.Layer} {r.Kind} invariance {r.Invariance}");
            Assert.True(r.Gradient < 1e-9, $"{r.Layer} {r.Kind} gradient {r.Gradient}");
            Assert.True(r.Noise < 1e-9, $"{r.Layer} {r.Kind} noise {r.Noise}");
            Assert.True(r.Hessian < 1e-7, $"{r.Layer} {r.Kind} hessian {r.Hessian}");
        }
        // BatchNorm's ε makes scale symmetry approximate: a residual of order ε (VerificationBounds).
        Assert.All(results.Where(r => r.Kind == SymmetryKind.Scale), r => Assert.InRange(r.Gradient, 0, VerificationBounds.BatchNormScaleGradient));
    }

    [Fact]
    public void MlpWithLayerNormAndLeakyReluPassesWithMseInSinglePrecision()
    {
        var results = VerifyZoo("mlp", [1, 4, 4], 3, new ModelOptions(Depth: 2, Hidden: 16, Norm: "layernorm", Activation: "leaky_relu"), LossKind.MeanSquaredError);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Layer} {r.Kind}: {r}"));
        // Exact symmetries: float32 rounding only, well inside the verifier's tolerance of 1e-4.
        Assert.All(results.Where(r => r.Exact), r => Assert.InRange(r.Gradient, 0, VerificationBounds.Float32ExactGradient));
        Assert.DoesNotContain(results, r => r.Layer == "out.weight"); // MSE: no softmax translation
    }

    [Fact]
    public void ABrokenSymmetryIsCaughtByEveryCheck()
    {
        // Claim a rescale symmetry across tanh (which breaks it): the checks must fail it.
        torch.manual_seed(5);
        var model = ModelZoo.Create("mlp", [1, 4, 4], 3, new ModelOptions(Depth: 1, Hidden: 8, Activation: "tanh"));
        var fc1 = model.Architecture.Layers.Single(l => l.Name == "fc1");
        var output = model.Architecture.Layers.Single(l => l.Name == "out");
        var fake = new SymmetryGroupSet(SymmetryKind.Rescale, "fc1", 8,
            [new UnitSlice("fc1", "weight", fc1.Weight!, [8, 16], 0), new UnitSlice("fc1", "bias", fc1.Bias!, [8, 1], 0)],
            [new UnitSlice("out", "weight", output.Weight!, [3, 8, 1], 1)], true, "wrong on purpose");
        var analysis = new SymmetryAnalysis(model.Architecture, [fake], []);
        var r = SymmetryVerifier.Verify(model.Network, analysis, randn(8, 1, 4, 4), randint(3, [8])).Single();
        Assert.True(r.Invariance > 1e-3, $"invariance {r.Invariance}");
        Assert.True(r.Gradient > 1e-2, $"gradient {r.Gradient}");
        Assert.True(r.Hessian > 1e-2, $"hessian {r.Hessian}");
        Assert.False(r.Passed);
    }
}
