using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry;

[Collection(TorchRngCollection.Name)]
public class ResNetSymmetryTests
{
    /// <summary>
    /// Counts by hand for a BasicBlock ResNet with stage channels c and blocks n per stage: every conv
    /// is read by its BatchNorm (scale: stem c₀, two per block, one per projection of stages 2–4);
    /// each block's bn1 → relu → conv2 is a rescale (c_s per block) and each stage is one residual
    /// stream (c_s); the softmax gives the head's c₃ columns and its bias.
    /// </summary>
    private static (long Scale, long Rescale, long Translation) ByHand(long[] c, int[] n)
    {
        long blocks = Enumerable.Range(0, 4).Sum(s => n[s] * c[s]);
        return (c[0] + 2 * blocks + c[1] + c[2] + c[3], blocks + c.Sum(), c[3] + 1);
    }

    [Fact]
    public void ResNet18HasAScaleGroupPerConvChannelARescalePerBlockChannelAndFourResidualStreams()
    {
        var (scale, rescale, translation) = ByHand([64, 128, 256, 512], [2, 2, 2, 2]);
        Assert.Equal((4_800L, 2_880L, 513L), (scale, rescale, translation));
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("resnet18", [3, 32, 32], 10).Architecture);
        Assert.Equal(scale, a.Count(SymmetryKind.Scale));
        Assert.Equal(rescale, a.Count(SymmetryKind.Rescale));
        Assert.Equal(translation, a.Count(SymmetryKind.Translation));
        Assert.Empty(a.Notes);
        var streams = a.Sets.Where(s => s.Origin.StartsWith("residual stream")).ToList();
        Assert.Equal([64L, 128, 256, 512], streams.Select(s => s.Count));
        // Stage 1: written by the stem's BN and both blocks' bn2; read by both blocks' conv1 and by stage 2's conv1 and projection.
        Assert.Equal(["bn1", "layer1.0.bn2", "layer1.1.bn2"], streams[0].A.Select(s => s.Layer).Distinct());
        Assert.Equal(["layer1.0.conv1", "layer1.1.conv1", "layer2.0.conv1", "layer2.0.shortcut.0"], streams[0].B.Select(s => s.Layer));
        // Stage 4: its projection's BN writes it too; the head reads it after pooling.
        Assert.Equal(["layer4.0.bn2", "layer4.0.shortcut.1", "layer4.1.bn2"], streams[3].A.Select(s => s.Layer).Distinct());
        Assert.Equal(["layer4.1.conv1", "fc"], streams[3].B.Select(s => s.Layer));
    }

    [Fact]
    public void ResNet34AtAQuarterWidthHasTheCountsDerivedByHand()
    {
        var (scale, rescale, translation) = ByHand([16, 32, 64, 128], [3, 4, 6, 3]);
        Assert.Equal((2_128L, 1_184L, 129L), (scale, rescale, translation));
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("resnet34", [3, 32, 32], 10, new ModelOptions(Width: 0.25)).Architecture);
        Assert.Equal((scale, rescale, translation), (a.Count(SymmetryKind.Scale), a.Count(SymmetryKind.Rescale), a.Count(SymmetryKind.Translation)));
    }

    [Fact]
    public void EveryExactSymmetryOfANarrowResNet18PassesAllFourChecksInDoublePrecision()
    {
        torch.manual_seed(21);
        var model = ModelZoo.Create("resnet18", [3, 16, 16], 5, new ModelOptions(Width: 1.0 / 16), dtype: ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var results = SymmetryVerifier.Verify(model.Network, analysis, randn([8, 3, 16, 16], dtype: ScalarType.Float64), randint(5, [8]));
        Assert.Equal(4, results.Count(r => r.Layer.Contains('+')));
        foreach (var r in results.Where(r => r.Exact))
            Assert.True(r.Invariance < 1e-9 && r.Gradient < 1e-9 && r.Noise < 1e-9 && r.Hessian < 1e-7, $"{r.Layer} {r.Kind}: {r}");
        // BatchNorm's ε makes scale symmetry approximate: a residual of order ε (VerificationBounds).
        Assert.All(results.Where(r => r.Kind == SymmetryKind.Scale), r => Assert.InRange(r.Gradient, 0, VerificationBounds.BatchNormScaleGradient));
    }

    [Fact]
    public void ARescaleAcrossTheResidualAddWithoutTheShortcutsWriterFailsVerification()
    {
        torch.manual_seed(21);
        var model = ModelZoo.Create("resnet18", [3, 16, 16], 5, new ModelOptions(Width: 1.0 / 16), dtype: ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var stream = analysis.Sets.Single(s => s.Origin.StartsWith("residual stream") && s.A.Any(a => a.Layer == "layer2.0.shortcut.1"));
        var wrong = stream with { Layer = "without layer2.0.shortcut.1", A = stream.A.Where(a => a.Layer != "layer2.0.shortcut.1").ToList() };
        var r = SymmetryVerifier.Verify(model.Network, new SymmetryAnalysis(analysis.Architecture, [wrong], []),
            randn([8, 3, 16, 16], dtype: ScalarType.Float64), randint(5, [8])).Single();
        Assert.True(r.Invariance > 1e-6, $"invariance {r.Invariance}");
        Assert.True(r.Gradient > 1e-3, $"gradient {r.Gradient}");
        Assert.False(r.Passed);
    }
}
