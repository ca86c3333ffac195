using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

[Collection(TorchRngCollection.Name)]
public class ResidualStreamRescaleTests
{
    private static nn.Module<Tensor, Tensor> Network() => nn.Sequential(("flatten", nn.Flatten()), ("in", nn.Linear(16, 6)),
        ("block1", new ResidualMlpBlock(6, 4)), ("block2", new ResidualMlpBlock(6, 4)), ("out", nn.Linear(6, 3)));

    [Fact]
    public void AResidualStreamHasOneGroupPerFeatureOverEveryWriterAndEveryReader()
    {
        var a = TestBlocks.Discover(Network(), [1, 4, 4]);
        var stream = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale && s.B.Count > 1);
        // Written by in, block1.fc2, block2.fc2 (joined by the adds); read by block1.fc1, block2.fc1 and out.
        Assert.Equal(("in+block1.fc2+block2.fc2", 6L, true), (stream.Layer, stream.Count, stream.Exact));
        Assert.Equal(["in.weight", "in.bias", "block1.fc2.weight", "block1.fc2.bias", "block2.fc2.weight", "block2.fc2.bias"], stream.A.Select(s => s.FullName));
        Assert.Equal(["block1.fc1.weight", "block2.fc1.weight", "out.weight"], stream.B.Select(s => s.FullName).Order());
        // Totals: the stream's 6 + each block's 4 hidden units; out's 6 columns + its bias.
        Assert.Equal(6 + 4 + 4, a.Count(SymmetryKind.Rescale));
        Assert.Equal(6 + 1, a.Count(SymmetryKind.Translation));
        Assert.Equal(0, a.Count(SymmetryKind.Scale));
        Assert.Empty(a.Notes);
    }

    [Fact]
    public void EveryGroupOfTheResidualNetworkPassesAllFourChecksInDoublePrecision()
    {
        torch.manual_seed(13);
        var net = Network();
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var results = SymmetryVerifier.Verify(net, a, randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8]));
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.True(r.Passed && r.Gradient < 1e-9 && r.Hessian < 1e-7, $"{r.Layer} {r.Kind}: {r}"));
    }

    [Fact]
    public void LeavingOutTheShortcutsWriterIsNotASymmetry()
    {
        torch.manual_seed(13);
        var net = Network();
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        var stream = a.Sets.Single(s => s.Kind == SymmetryKind.Rescale && s.B.Count > 1);
        var wrong = stream with { Layer = "without in", A = stream.A.Where(s => s.Layer != "in").ToList() };
        var r = SymmetryVerifier.Verify(net, new SymmetryAnalysis(a.Architecture, [wrong], []), randn([8, 1, 4, 4], dtype: ScalarType.Float64), randint(3, [8])).Single();
        Assert.True(r.Invariance > 1e-6, $"invariance {r.Invariance}");
        Assert.True(r.Gradient > 1e-3, $"gradient {r.Gradient}");
        Assert.False(r.Passed);
    }
}
