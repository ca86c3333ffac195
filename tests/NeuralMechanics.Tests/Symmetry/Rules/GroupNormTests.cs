using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

/// <summary>GroupNorm, added as one row of the table of operations: its symmetries come from the rules as they are.</summary>
[Collection(TorchRngCollection.Name)]
public class GroupNormTests
{
    // conv (3 → 4 channels) → GroupNorm (2 groups of 2 channels) → ReLU → flatten → fc (16 → 3), in float64.
    private static (Sequential Net, Conv2d Conv, SymmetryAnalysis Analysis) Network(double eps)
    {
        torch.manual_seed(21);
        var conv = nn.Conv2d(3, 4, 3);
        var net = nn.Sequential(("conv", conv), ("gn", nn.GroupNorm(2, 4, eps)), ("relu", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(16, 3)));
        net.to(ScalarType.Float64);
        using Scalar spread = 0.3;
        using (no_grad())
            foreach (var p in net.named_parameters().Where(p => p.name.StartsWith("gn."))) p.parameter.add_(randn(p.parameter.shape, dtype: ScalarType.Float64) * spread);
        return (net, conv, TestBlocks.Discover(net, [3, 4, 4]));
    }

    [Fact]
    public void AConvolutionReadByGroupNormHasOneScaleAndOneBiasTranslationGroupPerGroupOfChannels()
    {
        var (_, conv, a) = Network(1e-5);
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(("conv", 2L, false), (scale.Layer, scale.Count, scale.Exact));
        // Q_g = Σ over the 2 channels c of group g of |W_c|² + b_c² (27 weights per channel).
        var w = conv.weight!.data<double>().ToArray();
        var b = conv.bias!.data<double>().ToArray();
        var q = scale.Quantity().data<double>().ToArray();
        for (int g = 0; g < 2; g++)
            Assert.Equal(Enumerable.Range(2 * g, 2).Sum(c => Enumerable.Range(0, 27).Sum(i => w[c * 27 + i] * w[c * 27 + i]) + b[c] * b[c]), q[g], 12);
        var bias = a.Sets.Single(s => s.Kind == SymmetryKind.Translation && s.Layer == "conv.bias");
        Assert.Equal(2, bias.Count);
        Assert.Equal([b[0] + b[1], b[2] + b[3]], bias.Quantity().data<double>().ToArray());
        // γ_c, β_c of GroupNorm against fc's columns reading channel c: a rescale per channel, exact.
        var rescale = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale);
        Assert.Equal(("gn→fc", 4L, true), (rescale.Layer, rescale.Count, rescale.Exact));
    }

    [Fact]
    public void EveryGroupOfAGroupNormNetworkPassesVerificationInFloat64()
    {
        // ε = 1e-12 makes the scale symmetry exact to rounding, so it is held to the exact tolerances too.
        var (net, _, a) = Network(1e-12);
        var generator = new Generator(5);
        var x = randn([8, 3, 4, 4], dtype: ScalarType.Float64, generator: generator);
        var y = randint(3, [8], generator: generator);
        var results = SymmetryVerifier.Verify(net, a, x, y);
        // conv.bias (translation), conv (scale), gn→fc (rescale), fc.weight and fc.bias (softmax translation).
        Assert.Equal(5, results.Count);
        foreach (var r in results)
        {
            Assert.True(r.Invariance < 1e-9, $"{r.Layer} {r.Kind} invariance {r.Invariance}");
            Assert.True(r.Gradient < 1e-9, $"{r.Layer} {r.Kind} gradient {r.Gradient}");
            Assert.True(r.Noise < 1e-9, $"{r.Layer} {r.Kind} noise {r.Noise}");
            Assert.True(r.Hessian < 1e-7, $"{r.Layer} {r.Kind} hessian {r.Hessian}");
        }
    }

    [Fact]
    public void AScaleThroughAReluIntoGroupNormIsOneGroupPerGroupOfChannels()
    {
        // conv → relu → GroupNorm (3 groups of 2 channels) → fc: a ReLU is homogeneous, so conv's rows scale in groups of 2.
        torch.manual_seed(3);
        var net = nn.Sequential(("conv", nn.Conv2d(3, 6, 3)), ("relu", nn.ReLU()), ("gn", nn.GroupNorm(3, 6)), ("flatten", nn.Flatten()), ("fc", nn.Linear(24, 3)));
        var a = TestBlocks.Discover(net, [3, 4, 4]);
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(("conv", 3L), (scale.Layer, scale.Count));
        Assert.Equal([[3L, 2, 27], [3L, 2, 1]], scale.A.Select(s => s.View));
        Assert.DoesNotContain(a.Sets, s => s.Layer == "conv.bias"); // the ReLU stands between the bias and the mean GroupNorm removes
        Assert.Equal(6, a.Sets.Single(s => s.Kind == SymmetryKind.Rescale && s.Layer == "gn→fc").Count);
    }
}
