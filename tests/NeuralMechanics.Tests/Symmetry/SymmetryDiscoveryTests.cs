using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry;

[Collection(TorchRngCollection.Name)]
public class SymmetryDiscoveryTests
{
    [Fact]
    public void Vgg16OnTinyImageNetHas6272RescaleAnd1025TranslationGroups()
    {
        // Rescale: one per channel of each of the 13 convs (4,224) + one per unit of fc1 and fc2 (2·1,024).
        // Translation: one per input column of fc3 (1,024) + its bias.
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vgg16", [3, 64, 64], 200).Architecture);
        Assert.Equal(0, a.Count(SymmetryKind.Scale));
        Assert.Equal(6_272, a.Count(SymmetryKind.Rescale));
        Assert.Equal(1_025, a.Count(SymmetryKind.Translation));
        Assert.Empty(a.Notes);
    }

    [Fact]
    public void Vgg16BnAddsAScaleAndATranslationGroupPerChannel()
    {
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vgg16-bn", [3, 64, 64], 200).Architecture);
        Assert.Equal(4_224, a.Count(SymmetryKind.Scale));
        Assert.Equal(6_272, a.Count(SymmetryKind.Rescale));
        Assert.Equal(5_249, a.Count(SymmetryKind.Translation));
        // With BatchNorm in between, the incoming set of a conv channel's rescale is bn γ_c, β_c.
        var bn5 = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale && s.Layer == "bn5→conv6");
        Assert.All(bn5.A, s => Assert.Equal("bn5", s.Layer));
        Assert.Equal("conv6", bn5.B.Single().Layer);
    }

    [Fact]
    public void RescaleAcrossFlattenTakesEverySpatialPositionOfTheChannel()
    {
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vgg11", [3, 64, 64], 10, new ModelOptions(Width: 0.125)).Architecture);
        var last = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale && s.Layer == "conv8→fc1");
        var outgoing = last.B.Single();
        Assert.Equal("fc1", outgoing.Layer);
        Assert.Equal([128L, 64L, 4L], outgoing.View); // fc1 reads 64 channels × 2 × 2 positions
    }

    [Fact]
    public void TanhBreaksRescaleAndMseHasNoTranslation()
    {
        var model = ModelZoo.Create("mlp", [1, 4, 4], 3, new ModelOptions(Depth: 2, Hidden: 8, Activation: "tanh"), LossKind.MeanSquaredError);
        var a = SymmetryDiscovery.Discover(model.Architecture);
        Assert.Equal(0, a.Total);
        Assert.Contains(a.Notes, n => n.Contains("broken by act1"));
    }

    [Fact]
    public void LayerNormGivesOneScaleGroupPerLayerAndColumnTranslations()
    {
        var model = ModelZoo.Create("mlp", [1, 4, 4], 3, new ModelOptions(Depth: 1, Hidden: 8, Norm: "layernorm"));
        var a = SymmetryDiscovery.Discover(model.Architecture);
        Assert.Equal(1, a.Count(SymmetryKind.Scale));
        // fc1 columns (16) + fc1 bias + out columns (8) + out bias.
        Assert.Equal(16 + 1 + 8 + 1, a.Count(SymmetryKind.Translation));
        Assert.Equal(8, a.Count(SymmetryKind.Rescale)); // via the LayerNorm's γ_c, β_c
    }

    [Fact]
    public void AnUnknownModuleIsNamedAndStopsTheSymmetriesAcrossIt()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("soft", nn.Softplus()),
            ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 3)));
        var a = SymmetryDiscovery.Discover(Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy));
        Assert.Contains(a.Notes, n => n.Contains("soft") && n.Contains("Softplus"));
        Assert.Equal(0, a.Count(SymmetryKind.Rescale));
        Assert.Equal(9, a.Count(SymmetryKind.Translation)); // fc2 columns + bias still hold
    }

    [Fact]
    public void QuantityOfEachGroupIsItsSquaredNormDifference()
    {
        torch.manual_seed(3);
        var model = ModelZoo.Create("mlp", [1, 2, 2], 3, new ModelOptions(Depth: 1, Hidden: 5));
        var a = SymmetryDiscovery.Discover(model.Architecture);
        var set = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale);
        var fc1 = model.Architecture.Layers.Single(l => l.Name == "fc1");
        var output = model.Architecture.Layers.Single(l => l.Name == "out");
        var q = set.Quantity().data<double>().ToArray();
        var w1 = fc1.Weight!.data<float>().ToArray(); var b1 = fc1.Bias!.data<float>().ToArray();
        var w2 = output.Weight!.data<float>().ToArray();
        for (int u = 0; u < 5; u++)
        {
            double incoming = Enumerable.Range(0, 4).Sum(j => (double)w1[u * 4 + j] * w1[u * 4 + j]) + b1[u] * (double)b1[u];
            double outgoing = Enumerable.Range(0, 3).Sum(k => (double)w2[k * 5 + u] * w2[k * 5 + u]);
            Assert.Equal(incoming - outgoing, q[u], 5);
        }
    }
}
