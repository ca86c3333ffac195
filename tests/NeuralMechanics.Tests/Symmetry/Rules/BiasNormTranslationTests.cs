using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class BiasNormTranslationTests
{
    [Fact]
    public void EachBiasEntryFeedingBatchNormIsATranslationGroup()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var bias = a.Sets.Single(s => s.Layer == "fc1.bias");
        Assert.Equal(8, bias.Count);
        Assert.Equal([8L], bias.A.Single().View);
        Assert.Equal(8 + 8 + 1, a.Count(SymmetryKind.Translation)); // fc1's bias entries + out's columns + out's bias
    }

    [Fact]
    public void AReluBetweenTheBiasAndTheBatchNormBreaksTheTranslationButNotTheScale()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 8)), ("relu", nn.ReLU()), ("bn", nn.BatchNorm1d(8)), ("out", nn.Linear(8, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.DoesNotContain(a.Sets, s => s.Layer == "fc1.bias");
        Assert.Equal(8, a.Sets.Single(s => s.Kind == SymmetryKind.Scale && s.Layer == "fc1").Count);
    }

    [Fact]
    public void BiasesSummedIntoOneBatchNormAreEachTranslationGroupsAndHoldNumerically()
    {
        torch.manual_seed(4);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("block", new TwoBranchNormBlock(16, 6)), ("relu", nn.ReLU()), ("out", nn.Linear(6, 3)));
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.Equal(6, a.Sets.Single(s => s.Layer == "block.a.bias").Count);
        Assert.Equal(6, a.Sets.Single(s => s.Layer == "block.b.bias").Count);
        var only = new SymmetryAnalysis(a.Architecture, a.Sets.Where(s => s.Layer.EndsWith(".bias") && s.Layer.StartsWith("block")).ToList(), []);
        var results = SymmetryVerifier.Verify(net, only, randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8]));
        Assert.All(results, r => Assert.True(r.Passed && r.Gradient < 1e-9, $"{r.Layer}: {r}"));
    }
}
