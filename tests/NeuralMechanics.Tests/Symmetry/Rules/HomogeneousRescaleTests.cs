using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class HomogeneousRescaleTests
{
    [Fact]
    public void RescalingAHiddenUnitsIncomingWeightsUpAndOutgoingDownLeavesTheOutputUnchanged()
    {
        torch.manual_seed(12);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 5)), ("relu", nn.LeakyReLU(0.1)), ("drop", nn.Dropout(0.5)), ("out", nn.Linear(5, 3)));
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var set = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale);
        Assert.Equal(("fc1→out", 5L), (set.Layer, set.Count));
        Assert.Equal(["fc1.weight", "fc1.bias"], set.A.Select(s => s.FullName));
        Assert.Equal("out.weight", set.B.Single().FullName);
        net.eval();
        using var x = randn([4, 1, 4, 4], dtype: ScalarType.Float64);
        using var before = net.forward(x);
        set.Act(tensor(new double[] { 0.5, 2, 3, 0.25, 7 }, dtype: ScalarType.Float64));
        using var after = net.forward(x);
        Assert.True((after - before).abs().max().ReadDouble() < 1e-12);
    }

    [Fact]
    public void AGeluBreaksTheRescaleAndIsNamed()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 5)), ("smooth", nn.GELU()), ("out", nn.Linear(5, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.Equal(0, a.Count(SymmetryKind.Rescale));
        Assert.Contains(a.Notes, n => n.Contains("fc1: rescale symmetry broken by smooth (GELU)"));
    }

    [Fact]
    public void MaxPoolingAndFlattenCarryTheRescaleToEveryPositionOfTheChannel()
    {
        var net = nn.Sequential(("conv", nn.Conv2d(2, 3, 3, padding: 1)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(12, 4)));
        var set = TestBlocks.Discover(net, [2, 4, 4]).Sets.Single(s => s.Kind == SymmetryKind.Rescale);
        Assert.Equal(3, set.Count);
        Assert.Equal([4L, 3L, 4L], set.B.Single().View); // 4 outputs × 3 channels × 2·2 positions
    }
}
