using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

/// <summary>
/// A concatenation along the channels passes each input's channels on to its readers at an offset:
/// a writer's channel c is rescaled against the reader's columns at (channels of the inputs before) + c.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class ConcatRescaleTests
{
    // stem conv(2→4, 3×3) → ReLU → fire(squeeze 4→3, expand 1×1 3→2 and 3×3 3→5, concatenated: 7 channels) →
    // flatten (7 × 4·4) → fc(112→3). Along the height (dim 1) both expands write 4 channels: [4, 8, 4], fc(128→3).
    private static nn.Module<Tensor, Tensor> Network(int dim = 0) => nn.Sequential(("stem", nn.Conv2d(2, 4, 3, padding: 1)), ("relu", nn.ReLU()),
        ("fire", dim == 0 ? new FireBlock(4, 3, 2, 5) : new FireBlock(4, 3, 4, 4, dim)), ("flatten", nn.Flatten()), ("fc", nn.Linear(dim == 0 ? 7 * 16 : 4 * 8 * 4, 3)));

    private static (Tensor X, Tensor Y) Batch(long[] shape)
    {
        using var generator = new Generator(5);
        return (randn([6, .. shape], ScalarType.Float64, generator: generator), randint(3, [6], generator: generator));
    }

    [Fact]
    public void AFireModuleWrittenWithGraphBuilderConcatHasARescalePerExpandChannelAgainstItsConcatenatedColumns()
    {
        torch.manual_seed(4);
        var net = Network();
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [2, 4, 4]);
        // By hand: stem → squeeze through ReLU (4), squeeze → expand1x1 + expand3x3 (3), and through the concatenation
        // expand1x1 → fc (2: its channels are the concatenation's 0–1) and expand3x3 → fc (5: channels 2–6);
        // translation: fc's 112 input columns and its bias (softmax), 113; no normalisation, no scale.
        Assert.Equal((113L, 0L, 4L + 3 + 2 + 5), (a.Count(SymmetryKind.Translation), a.Count(SymmetryKind.Scale), a.Count(SymmetryKind.Rescale)));
        var e1 = a.Sets.Single(s => s.Layer == "fire.expand1x1→fc");
        var e3 = a.Sets.Single(s => s.Layer == "fire.expand3x3→fc");
        // fc's weight [3, 112] viewed as 3 outputs × 7 channels × 16 positions; expand1x1 takes channels 0–1, expand3x3 2–6.
        Assert.Equal([3L, 7L, 16L], e1.B.Single().View);
        Assert.Equal([3L, 7L, 16L], e3.B.Single().View);
        Assert.Equal((0L, 2L), (e1.B.Single().From, e1.B.Single().Units));
        Assert.Equal((2L, 5L), (e3.B.Single().From, e3.B.Single().Units));
        var (x, y) = Batch([2, 4, 4]);
        var results = SymmetryVerifier.Verify(net, a, x, y);
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void AnExpandChannelAgainstTheWrongConcatenatedColumnsFailsVerification()
    {
        torch.manual_seed(4);
        var net = Network();
        net.to(ScalarType.Float64);
        var a = TestBlocks.Discover(net, [2, 4, 4]);
        var right = a.Sets.Single(s => s.Layer == "fire.expand1x1→fc");
        // expand1x1's channels against fc's columns of concatenated channels 2–3 (expand3x3's) instead of 0–1.
        var wrong = right with { Layer = "wrong", B = [right.B.Single() with { From = 2 }] };
        var (x, y) = Batch([2, 4, 4]);
        var result = SymmetryVerifier.Verify(net, new SymmetryAnalysis(a.Architecture, [wrong], []), x, y).Single();
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Invariance > 1e-6, result.ToString());
    }

    [Fact]
    public void AConcatenationAlongTheHeightStopsTheExpandRescalesAndIsNamed()
    {
        var a = TestBlocks.Discover(Network(dim: 1), [2, 4, 4]);
        // Channel c of expand1x1 and of expand3x3 both become channel c of the joined tensor: no per-writer rescale.
        Assert.Equal(0, a.Sets.Count(s => s.Layer.StartsWith("fire.expand")));
        Assert.Contains(a.Notes, n => n.Contains("rescale symmetry broken by fire.cat (concatenation: it joins along dimension 1, the channels are along dimension 0)"));
    }
}
