using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class NormScaleTests
{
    [Fact]
    public void AConvolutionReadByBatchNormHasOneScaleGroupPerChannelOverItsWeightsAndBias()
    {
        torch.manual_seed(8);
        var conv = nn.Conv2d(3, 4, 3);
        var net = nn.Sequential(("conv", conv), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(16, 3)));
        var a = TestBlocks.Discover(net, [3, 4, 4]);
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(("conv", 4L, false), (scale.Layer, scale.Count, scale.Exact));
        // Q_c = |W_c|² + b_c² over the 3·3·3 weights of output channel c.
        var w = conv.weight!.data<float>().ToArray();
        var b = conv.bias!.data<float>().ToArray();
        var q = scale.Quantity().data<double>().ToArray();
        for (int c = 0; c < 4; c++)
            Assert.Equal(Enumerable.Range(0, 27).Sum(i => (double)w[c * 27 + i] * w[c * 27 + i]) + (double)b[c] * b[c], q[c], 5);
    }

    [Fact]
    public void TwoLayersAddedIntoOneBatchNormShareEachChannelsScaleGroup()
    {
        torch.manual_seed(9);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("block", new TwoBranchNormBlock(16, 6)), ("relu", nn.ReLU()), ("out", nn.Linear(6, 3)));
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(("block.a+block.b", 6L), (scale.Layer, scale.Count));
        Assert.Equal(["block.a.weight", "block.a.bias", "block.b.weight", "block.b.bias"], scale.A.Select(s => s.FullName));
        var r = SymmetryVerifier.Verify(net, new SymmetryAnalysis(a.Architecture, [scale], []), randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8])).Single();
        // Exact but for BatchNorm's ε: residuals of order ε, not zero (VerificationBounds).
        Assert.InRange(r.Gradient, 0, VerificationBounds.BatchNormScaleGradient);
        Assert.InRange(r.Invariance, 0, VerificationBounds.BatchNormScaleInvariance);
    }

    [Fact]
    public void OneOfTheTwoLayersAloneIsNotAScaleSymmetry()
    {
        torch.manual_seed(9);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("block", new TwoBranchNormBlock(16, 6)), ("relu", nn.ReLU()), ("out", nn.Linear(6, 3)));
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        var half = scale with { Layer = "block.a", A = scale.A.Take(2).ToList(), Exact = true };
        var r = SymmetryVerifier.Verify(net, new SymmetryAnalysis(a.Architecture, [half], []), randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8])).Single();
        Assert.True(r.Gradient > 1e-2, $"gradient {r.Gradient}");
        Assert.False(r.Passed);
    }
}
