using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry;

[Collection(TorchRngCollection.Name)]
public class SymmetryRulesTests
{
    /// <summary>
    /// A rule a researcher might add: every hidden unit of a homogeneous path rescaled by one common α
    /// (the sum of the per-unit groups, as one group: the whole writer against the whole reader).
    /// </summary>
    private sealed class LayerRescale : ISymmetryRule
    {
        public void Apply(DiscoveryContext context)
        {
            foreach (var s in context.OpenStreams.Where(s => s.Outgoing.Count == 1 && s.Writers.Count == 1 && s.Normalisers.Count == 0))
            {
                var writer = s.Writers[0];
                var reader = s.Outgoing[0];
                var a = writer.Parameters.Keys.Order(StringComparer.Ordinal).Reverse()
                    .Select(n => new UnitSlice(writer.Name, n, writer.Parameters[n], [1, writer.Parameters[n].numel()], 0)).ToList();
                context.Add(new SymmetryGroupSet(SymmetryKind.Rescale, $"{s.Key} (whole layer)", 1, a,
                    [new UnitSlice(reader.Layer, reader.Name, reader.Tensor, [1, reader.Tensor.numel()], 0)], true, "one α for every unit"), s.Anchor);
            }
        }
    }

    private static (nn.Module<Tensor, Tensor> Net, Architecture Architecture) Mlp()
    {
        torch.manual_seed(17);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(16, 6)), ("relu", nn.ReLU()), ("out", nn.Linear(6, 3)));
        net.to(ScalarType.Float64);
        return (net, Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy));
    }

    private static string Describe(SymmetryGroupSet s) =>
        $"{s.Kind} {s.Layer} {s.Count} {s.Exact} {s.Origin}: {string.Join(" ", s.A.Select(a => a.FullName))} / {string.Join(" ", s.B.Select(b => b.FullName))}";

    [Fact]
    public void TheDefaultListHoldsTheEightRules()
    {
        Assert.Equal(8, SymmetryRules.Default.Count);
        Assert.Equal(8, SymmetryRules.Default.Select(r => r.GetType()).Distinct().Count());
    }

    [Fact]
    public void ARuleAddedToTheDefaultsIsAppliedAndLeavesTheDefaultSetsAsTheyAre()
    {
        var (net, architecture) = Mlp();
        var defaults = SymmetryDiscovery.Discover(architecture);
        var extended = SymmetryDiscovery.Discover(architecture, [.. SymmetryRules.Default, new LayerRescale()]);
        // fc1 → relu → out: 6 rescale groups, 6 + 1 softmax translation groups; the added rule: one more rescale group.
        Assert.Equal((7L, 6L), (defaults.Count(SymmetryKind.Translation), defaults.Count(SymmetryKind.Rescale)));
        Assert.Equal(defaults.Sets.Select(Describe), extended.Sets.Where(s => !s.Layer.EndsWith("(whole layer)")).Select(Describe));
        var added = extended.Sets.Single(s => s.Layer == "fc1 (whole layer)");
        Assert.Equal(7L, extended.Count(SymmetryKind.Rescale));
        // It is a symmetry: the verifier passes it like the defaults.
        var generator = new Generator(2);
        var x = randn([6, 1, 4, 4], dtype: ScalarType.Float64, generator: generator);
        var y = randint(3, [6], generator: generator);
        var result = SymmetryVerifier.Verify(net, new SymmetryAnalysis(architecture, [added], []), x, y).Single();
        Assert.True(result.Passed, result.ToString());
    }
}
