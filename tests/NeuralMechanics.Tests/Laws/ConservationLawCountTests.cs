using NeuralMechanics.Laws;
using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Laws;

/// <summary>
/// The numeric count of every conservation law of gradient flow against the counts Marcotte,
/// Gribonval &amp; Peyré (2023) prove, each derived here from the network's widths.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class ConservationLawCountTests
{
    private static LawCount Count(Sequential network, long inputs, LossKind loss)
    {
        network.to(ScalarType.Float64);
        var architecture = Architecture.Describe(network, [inputs], loss);
        return ConservationLaws.Count(network, architecture);
    }

    private static Sequential Network(long[] widths, string activation, bool bias = true)
    {
        torch.manual_seed(7);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 1; i < widths.Length; i++)
        {
            bool last = i == widths.Length - 1;
            layers.Add((last ? "out" : $"fc{i}", nn.Linear(widths[i - 1], widths[i], hasBias: bias)));
            if (!last)
                layers.Add(($"act{i}", activation switch { "relu" => nn.ReLU(), "tanh" => nn.Tanh(), _ => nn.Identity() }));
        }
        return nn.Sequential(layers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TwoLayerReluNetworkHasItsHiddenWidthOfLaws(bool bias)
    {
        long[] widths = [3, 5, 2];
        var count = Count(Network(widths, "relu", bias), 3, LossKind.MeanSquaredError);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(widths[1], count.Laws);
        Assert.Equal(widths[1], count.Explained);
        Assert.Empty(count.DeadUnits);
    }

    [Fact]
    public void DeepReluNetworkHasTheSumOfItsHiddenWidths()
    {
        // The count is of generic θ: a unit dead on every probe adds its own parameters as laws
        // (DeadUnitIsNamed…), and units active on every probe act as a linear layer (more laws, as
        // in the linear network). Zero biases and fc2 rows of alternating signs put every unit's
        // switching surface through the probes, so each unit is on for some and off for others.
        long[] widths = [3, 4, 3, 2];
        var network = Network(widths, "relu");
        using (no_grad())
            foreach (var (name, p) in network.named_parameters())
                if (name.StartsWith("fc") && name.EndsWith(".bias")) p.zero_();
                else if (name == "fc2.weight")
                {
                    var signs = tensor(Enumerable.Range(0, 12).Select(i => (i / 4 + i % 4) % 2 == 0 ? 1.0 : -1.0).ToArray(), dtype: ScalarType.Float64).view(3, 4);
                    p.copy_(p.abs() * signs);
                }
        var count = Count(network, 3, LossKind.MeanSquaredError);
        Assert.Empty(count.DeadUnits);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(widths[1] + widths[2], count.Laws);
        Assert.Equal(0, count.Unexplained);
    }

    [Fact]
    public void LinearNetworkWithHiddenWidthRHasRTimesRPlusOneOverTwoLawsAndTheRulesSeeR()
    {
        // U Vᵀ with r ≤ min(n, m): UᵀU − VᵀV is conserved, r(r+1)/2 functions; the neuron-level
        // rescale groups are its diagonal, r of them; the off-diagonal r(r−1)/2 need a bracket.
        long r = 3;
        var count = Count(Network([4, r, 4], "linear", bias: false), 4, LossKind.MeanSquaredError);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(r * (r + 1) / 2, count.Laws);
        Assert.Equal(r, count.Explained);
        Assert.Equal(r * (r - 1) / 2, count.Unexplained);
        Assert.True(count.Ranks.Count >= 2 && count.Ranks[1] > count.Ranks[0], "the brackets add the off-diagonal directions");
        double carried = count.Carriers.Sum(c => c.Dimensions);
        Assert.Equal(count.Unexplained, carried, 6);
    }

    [Fact]
    public void TanhNetworkHasNoLaws()
    {
        var count = Count(Network([3, 4, 2], "tanh"), 3, LossKind.MeanSquaredError);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(0, count.Laws);
    }

    [Fact]
    public void SoftmaxCrossEntropyAddsHPlusOneTranslationLawsToTheLastLayer()
    {
        // h rescale laws of the hidden units and h + 1 translations of a last layer reading h units.
        long h = 4;
        var count = Count(Network([3, h, 3], "relu"), 3, LossKind.CrossEntropy);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(h + (h + 1), count.Laws);
        Assert.Equal(0, count.Unexplained);
    }

    [Fact]
    public void ProductOfThreeParametersHasTwoLaws()
    {
        // φ(θ) = θ₁θ₂θ₃ (a 1→1→1→1 linear network): every field is a multiple of ∇φ, so Lie(V) is
        // one-dimensional and 3 − 1 = 2 laws remain (θ₁² − θ₂², θ₂² − θ₃²), the two rescale groups.
        var count = Count(Network([1, 1, 1, 1], "linear", bias: false), 1, LossKind.MeanSquaredError);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(3, count.Parameters);
        Assert.Equal(2, count.Laws);
        Assert.Equal(2, count.Explained);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("logistic")]
    public void ZooModelsLawsAreExactlyTheSymmetriesDiscovered(string name)
    {
        torch.manual_seed(3);
        var model = ModelZoo.Create(name, [1, 2, 2], 3, new ModelOptions(Depth: 1, Hidden: 5), LossKind.CrossEntropy, ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var count = ConservationLaws.Count(model.Network, model.Architecture, analysis);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(analysis.Total, count.Explained);
        Assert.Equal(analysis.Total, count.Laws);
        Assert.Equal(0, count.NotConserved);
    }

    [Theory]
    // mlp 4 → 4 (norm) → 3 with cross-entropy, D = 43. BatchNorm: fc1's 4 bias entries translate
    // (the batch mean is removed), 4 rescales norm1 → out, 4 + 1 softmax translations of out = 13;
    // its 4 per-channel scale groups hold only up to ε, so their quantities are not conserved.
    [InlineData("batchnorm", 4 + 4 + (4 + 1), 4)]
    // LayerNorm: the mean over features removes 4 translations of fc1's weight columns and 1 of its
    // bias, 4 rescales, 4 + 1 softmax translations = 14; its one whole-layer scale group holds up to ε.
    [InlineData("layernorm", (4 + 1) + 4 + (4 + 1), 1)]
    public void NormalisedMlpLawsAreItsExactSymmetriesAndTheNormsScaleGroupsAreNotConserved(string norm, long laws, long approximate)
    {
        torch.manual_seed(3);
        var model = ModelZoo.Create("mlp", [1, 2, 2], 3, new ModelOptions(Depth: 1, Hidden: 4, Norm: norm, Dropout: 0), LossKind.CrossEntropy, ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var count = ConservationLaws.Count(model.Network, model.Architecture, analysis);
        Assert.True(count.Decided, $"gap {count.Gap}");
        Assert.Equal(43, count.Parameters);
        Assert.Equal(laws, count.Laws);
        Assert.Equal(laws, count.Explained);
        Assert.Equal(analysis.Sets.Where(s => s.Exact).Sum(s => s.Count), count.Explained);
        Assert.Equal(approximate, count.NotConserved);
        Assert.Equal(analysis.Sets.Where(s => !s.Exact).Sum(s => s.Count), count.NotConserved);
    }

    [Fact]
    public void DeadUnitIsNamedAndAddsItsParametersAsLaws()
    {
        // Unit 1 of fc1 with weights 0 and bias −1 never fires: its 3 + 1 incoming and 2 outgoing
        // parameters are each conserved (6 laws), of which its rescale group explains one.
        var network = Network([3, 4, 2], "relu");
        network.to(ScalarType.Float64);
        using (no_grad())
        {
            var fc1 = (Linear)network.named_children().Single(c => c.name == "fc1").module;
            fc1.weight![1].zero_();
            using TorchSharp.Scalar off = -1.0;
            fc1.bias![1].fill_(off);
        }
        var count = ConservationLaws.Count(network, Architecture.Describe(network, [3], LossKind.MeanSquaredError));
        Assert.Equal(["fc1 unit 1"], count.DeadUnits);
        Assert.Equal(3 + (3 + 1 + 2), count.Laws);
        Assert.Equal(4, count.Explained);
    }
}
