using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class LayerNormTranslationTests
{
    [Fact]
    public void ALinearReadByLayerNormHasAColumnTranslationPerInputAndOneForItsBiasThatHoldNumerically()
    {
        torch.manual_seed(6);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("ln", nn.LayerNorm(8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 3)));
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4], LossKind.MeanSquaredError);
        var columns = a.Sets.Single(s => s.Layer == "fc1.weight");
        Assert.Equal(16, columns.Count);
        Assert.Equal(1, a.Sets.Single(s => s.Layer == "fc1.bias").Count);
        Assert.Equal(16 + 1, a.Count(SymmetryKind.Translation)); // MSE: no softmax translation
        var only = new SymmetryAnalysis(a.Architecture, a.Sets.Where(s => s.Kind == SymmetryKind.Translation).ToList(), []);
        var results = SymmetryVerifier.Verify(net, only, randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8]));
        Assert.All(results, r => Assert.True(r.Passed && r.Invariance < 1e-12, $"{r.Layer}: {r}"));
    }

    [Fact]
    public void AReluBeforeTheLayerNormBreaksTheTranslationButNotTheWholeLayerScale()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("relu", nn.ReLU()), ("ln", nn.LayerNorm(8)), ("out", nn.Linear(8, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.DoesNotContain(a.Sets, s => s.Layer.StartsWith("fc1."));
        var scale = a.Sets.Single(s => s.Kind == SymmetryKind.Scale);
        Assert.Equal(("fc1", 1L), (scale.Layer, scale.Count));
        Assert.Equal(8, a.Sets.Single(s => s.Kind == SymmetryKind.Rescale).Count); // ln's γ_c, β_c against out's column c
    }
}
