using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class SoftmaxTranslationTests
{
    [Fact]
    public void AFinalLinearGivesOneGroupPerInputColumnAndOneForTheBias()
    {
        torch.manual_seed(11);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var columns = a.Sets.Single(s => s.Layer == "out.weight");
        Assert.Equal(SymmetryKind.Translation, columns.Kind);
        Assert.Equal(8, columns.Count);
        Assert.Equal(1, a.Sets.Single(s => s.Layer == "out.bias").Count);
        // Q of column j = Σ_k W[k, j] over the 3 classes.
        var w = ((TorchSharp.Modules.Linear)net[3]).weight!.data<float>().ToArray();
        var q = columns.Quantity().data<double>().ToArray();
        for (int j = 0; j < 8; j++)
            Assert.Equal(Enumerable.Range(0, 3).Sum(k => (double)w[k * 8 + j]), q[j], 12);
    }

    [Fact]
    public void ALayerOtherThanLinearFeedingTheSoftmaxIsNamedAndGivesNone()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(16, 3)), ("squash", nn.Tanh()));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.Equal(0, a.Count(SymmetryKind.Translation));
        Assert.Contains(a.Notes, n => n.Contains("squash") && n.Contains("feeds the softmax"));
    }

    [Fact]
    public void MeanSquaredErrorHasNoSoftmaxTranslation()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("out", nn.Linear(16, 3)));
        Assert.Equal(0, TestBlocks.Discover(net, [1, 4, 4], LossKind.MeanSquaredError).Count(SymmetryKind.Translation));
        Assert.Equal(16 + 1, TestBlocks.Discover(net, [1, 4, 4]).Count(SymmetryKind.Translation));
    }
}
