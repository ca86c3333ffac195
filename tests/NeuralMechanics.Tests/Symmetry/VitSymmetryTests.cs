using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry;

[Collection(TorchRngCollection.Name)]
public class VitSymmetryTests
{
    /// <summary>
    /// Counts by hand for a pre-LN ViT with C input channels, patch p, T tokens, d features, L blocks,
    /// r·d MLP units and K classes. The residual stream is read only by LayerNorms: one scale group of
    /// all its writers; translations per input column of each writer (patch C·p², o d, fc2 r·d), each
    /// writer's bias and each positional row (T). Per block: the key bias (d entries), ln1 → q, k, v
    /// (d), ln2 → fc1 (d), Q–K (d), V–O (d), and with ReLU fc1 → fc2 (r·d). The final LN → head (d);
    /// the softmax: the head's d columns and its bias.
    /// </summary>
    private static (long Translation, long Scale, long Rescale) ByHand(long c, long p, long t, long d, long l, long hidden, bool relu) =>
        (c * p * p + 1 + t + l * ((d + 1) + (hidden + 1) + d) + d + 1, 1, l * (4 * d + (relu ? hidden : 0)) + d);

    [Fact]
    public void TheDefaultVitHas1163Translation1Scale1088RescaleGroups()
    {
        var (translation, scale, rescale) = ByHand(1, 7, 16, 64, 4, 128, relu: false);
        Assert.Equal((1_163L, 1L, 1_088L), (translation, scale, rescale));
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vit", [1, 28, 28], 10, ModelZoo.DefaultOptions("vit")).Architecture);
        Assert.Equal((translation, scale, rescale), (a.Count(SymmetryKind.Translation), a.Count(SymmetryKind.Scale), a.Count(SymmetryKind.Rescale)));
        // The only notes: the GELUs that break the MLP's rescale.
        Assert.Equal(4, a.Notes.Count);
        Assert.All(a.Notes, n => Assert.Contains("broken by blocks.", n));
        Assert.All(a.Notes, n => Assert.EndsWith("(GELU)", n));
        var stream = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(["patch", "pos", "blocks.0.attn.o", "blocks.0.mlp.fc2", "blocks.1.attn.o", "blocks.1.mlp.fc2", "blocks.2.attn.o", "blocks.2.mlp.fc2", "blocks.3.attn.o", "blocks.3.mlp.fc2"],
            stream.A.Select(s => s.Layer).Distinct());
        var qk = a.Sets.Single(s => s.Layer == "blocks.0.attn.attention.qk");
        Assert.Equal(["blocks.0.attn.q.weight", "blocks.0.attn.q.bias"], qk.A.Select(s => s.FullName));
        Assert.Equal(["blocks.0.attn.k.weight", "blocks.0.attn.k.bias"], qk.B.Select(s => s.FullName));
        var vo = a.Sets.Single(s => s.Layer == "blocks.0.attn.attention.vo");
        Assert.Equal(["blocks.0.attn.o.weight"], vo.B.Select(s => s.FullName));
        Assert.Equal(64, a.Sets.Single(s => s.Layer == "blocks.0.attn.k.bias").Count);
    }

    [Fact]
    public void AReluMlpKeepsOneRescaleGroupPerHiddenUnit()
    {
        var options = ModelZoo.DefaultOptions("vit") with { Activation = "relu" };
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vit", [1, 28, 28], 10, options).Architecture);
        var (translation, scale, rescale) = ByHand(1, 7, 16, 64, 4, 128, relu: true);
        Assert.Equal((translation, scale, rescale), (a.Count(SymmetryKind.Translation), a.Count(SymmetryKind.Scale), a.Count(SymmetryKind.Rescale)));
        Assert.Equal(128, a.Sets.Single(s => s.Layer == "blocks.2.mlp.fc1→blocks.2.mlp.fc2").Count);
    }

    private static (ZooModel Model, Tensor X, Tensor Y) Small(string activation)
    {
        torch.manual_seed(4);
        var options = new ModelOptions(Depth: 1, Activation: activation, Patch: 4, Dim: 8, Heads: 2, Init: Initialisation.Reference);
        var model = ModelZoo.Create("vit", [1, 8, 8], 5, options, dtype: ScalarType.Float64);
        var generator = new Generator(9);
        return (model, randn([6, 1, 8, 8], dtype: ScalarType.Float64, generator: generator), randint(5, [6], generator: generator));
    }

    [Fact]
    public void EveryExactGroupOfASmallReluVitPassesVerificationInFloat64()
    {
        var (model, x, y) = Small("relu");
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var results = SymmetryVerifier.Verify(model.Network, analysis, x, y);
        Assert.Equal(analysis.Sets.Count, results.Count);
        Assert.All(results.Where(r => r.Exact), r => Assert.True(r.Passed && r.Invariance < 1e-12 && r.Gradient < 1e-12, $"{r.Layer}: {r}"));
        // The stream's scale group holds up to LayerNorm's ε only: small, not zero.
        var scale = results.Single(r => r.Kind == SymmetryKind.Scale);
        Assert.InRange(scale.Invariance, 1e-12, 1e-3);
    }

    [Fact]
    public void TheKeyBiasHasExactlyZeroGradient()
    {
        var (model, x, y) = Small("gelu");
        var loss = nn.functional.cross_entropy(model.Network.forward(x), y);
        var bias = model.Network.named_parameters().Single(p => p.name == "blocks.0.attn.k.bias").parameter;
        var g = autograd.grad([loss], [bias])[0];
        var other = autograd.grad([nn.functional.cross_entropy(model.Network.forward(x), y)],
            [model.Network.named_parameters().Single(p => p.name == "blocks.0.attn.q.bias").parameter])[0];
        Assert.True(g.abs().max().ReadDouble() < 1e-15 * Math.Max(1, other.abs().max().ReadDouble()), $"∂L/∂b_K = {g.abs().max().ReadDouble():G3}");
        Assert.True(other.abs().max().ReadDouble() > 1e-6);
    }

    [Fact]
    public void TheGeluMlpWouldBeRescaleFailsVerification()
    {
        var (model, x, y) = Small("gelu");
        var layers = model.Architecture.Layers;
        var fc1 = layers.Single(l => l.Name == "blocks.0.mlp.fc1");
        var fc2 = layers.Single(l => l.Name == "blocks.0.mlp.fc2");
        // What the ReLU rule would count: fc1's row u (weight, bias) against fc2's column u.
        var wouldBe = new SymmetryGroupSet(SymmetryKind.Rescale, "blocks.0.mlp.fc1", 16,
            [new UnitSlice(fc1.Name, "weight", fc1.Weight!, [16, 8], 0), new UnitSlice(fc1.Name, "bias", fc1.Bias!, [16, 1], 0)],
            [new UnitSlice(fc2.Name, "weight", fc2.Weight!, [8, 16], 1)], true, "would-be GELU rescale");
        var result = SymmetryVerifier.Verify(model.Network, new SymmetryAnalysis(model.Architecture, [wouldBe], []), x, y).Single();
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Invariance > 1e-6 && result.Gradient > 1e-6, result.ToString());
    }
}
