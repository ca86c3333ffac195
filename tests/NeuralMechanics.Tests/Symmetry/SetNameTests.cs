using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Tests.Symmetry;

/// <summary>A set's key says what is in it: "writers" or "writer→readers", never a layer that is not in it.</summary>
public class SetNameTests
{
    public static TheoryData<string, string> Models => new()
    {
        { "mlp", "none" }, { "mlp", "batchnorm" }, { "mlp", "layernorm" }, { "vgg11-bn", "none" }, { "resnet18", "none" }, { "vit", "none" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void EveryScaleAndRescaleSetIsNamedAfterTheLayersItHolds(string model, string norm)
    {
        long[] shape = model == "vit" ? [1, 28, 28] : [3, 32, 32];
        var options = model == "vit" ? ModelZoo.DefaultOptions("vit") with { Depth = 1 } : new ModelOptions(Width: 1.0 / 16, Hidden: 16, Norm: norm);
        var a = SymmetryDiscovery.Discover(ModelZoo.Create(model, shape, 10, options).Architecture);
        var named = a.Sets.Where(s => s.Kind != SymmetryKind.Translation && !s.Layer.EndsWith(".qk") && !s.Layer.EndsWith(".vo")).ToList();
        Assert.NotEmpty(named);
        foreach (var set in named)
        {
            var parts = set.Layer.Split('→');
            Assert.Equal(set.A.Select(s => s.Layer).Distinct(), parts[0].Split('+'));
            if (parts.Length > 1) Assert.Equal(set.B.Select(s => s.Layer).Distinct(), parts[1].Split('+'));
        }
    }

    [Fact]
    public void ABatchNormVggNamesItsRescaleAfterTheBatchNormAndTheNextConvolution()
    {
        var a = SymmetryDiscovery.Discover(ModelZoo.Create("vgg11-bn", [3, 32, 32], 10, new ModelOptions(Width: 1.0 / 16)).Architecture);
        Assert.Equal(["conv1", "conv2"], a.Sets.Where(s => s.Kind == SymmetryKind.Scale).Take(2).Select(s => s.Layer));
        Assert.Equal(["bn1→conv2", "bn2→conv3"], a.Sets.Where(s => s.Kind == SymmetryKind.Rescale).Take(2).Select(s => s.Layer));
    }
}
