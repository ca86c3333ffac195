using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Graph;

[Collection(TorchRngCollection.Name)]
public class OperationsTests
{
    [Fact]
    public void EachModuleIsRecognisedByItsRowWithItsAttributes()
    {
        var (op, attributes) = Operations.Of(nn.GroupNorm(2, 4, 1e-3));
        Assert.Equal(Operations.GroupNorm, op);
        Assert.Equal(2L, attributes[NodeAttributes.Groups]);
        Assert.Equal(1e-3, (double)attributes[NodeAttributes.Eps], 12);
        Assert.Equal([6L], (long[])Operations.Of(nn.LayerNorm(6)).Attributes[NodeAttributes.NormalizedShape]);
        Assert.Equal(Operations.LeakyReLU, Operations.Of(nn.LeakyReLU(0.1)).Operation);
        Assert.Equal(Operations.Unknown, Operations.Of(nn.Softplus()).Operation);
    }

    [Fact]
    public void EveryRowHasItsOwnName()
    {
        Assert.Contains(Operations.GroupNorm, Operations.All);
        Assert.Equal(Operations.All.Count, Operations.All.Select(o => o.Name).Distinct().Count());
    }

    [Fact]
    public void AGraphBuiltWithoutAModuleHasTheSymmetriesOfTheNetworkItDescribes()
    {
        torch.manual_seed(5);
        var fc1 = nn.Linear(16, 8);
        var out_ = nn.Linear(8, 3);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc1", fc1), ("relu", nn.ReLU()), ("out", out_));
        var described = SymmetryDiscovery.Discover(Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy));

        // The same graph as an importer would build it: operations, shapes, parameters, no module.
        IReadOnlyDictionary<string, Parameter> Of(Linear l) => new Dictionary<string, Parameter> { ["weight"] = l.weight!, ["bias"] = l.bias! };
        var none = new Dictionary<string, Parameter>();
        var noAttributes = new Dictionary<string, object>();
        LayerInfo[] nodes =
        [
            new(0, "flatten", Operations.Flatten, "Flatten", [1, 4, 4], [16], none, noAttributes, [Architecture.NetworkInput]),
            new(1, "fc1", Operations.Linear, "Gemm", [16], [8], Of(fc1), noAttributes, [0]),
            new(2, "relu", Operations.ReLU, "Relu", [8], [8], none, noAttributes, [1]),
            new(3, "out", Operations.Linear, "Gemm", [8], [3], Of(out_), noAttributes, [2]),
        ];
        var built = SymmetryDiscovery.Discover(Architecture.FromNodes(nodes, 3, LossKind.CrossEntropy, [1, 4, 4]));

        Assert.Equal((9L, 8L), (built.Count(SymmetryKind.Translation), built.Count(SymmetryKind.Rescale)));
        Assert.Equal(described.Sets.Select(s => (s.Kind, s.Layer, s.Count, s.Exact)), built.Sets.Select(s => (s.Kind, s.Layer, s.Count, s.Exact)));
        Assert.Equal(["fc1→out"], built.Sets.Where(s => s.Kind == SymmetryKind.Rescale).Select(s => s.Layer));
    }

    [Fact]
    public void AGraphWhoseNodeReadsALaterNodeIsRejected()
    {
        var none = new Dictionary<string, Parameter>();
        var noAttributes = new Dictionary<string, object>();
        LayerInfo[] nodes =
        [
            new(0, "a", Operations.ReLU, "Relu", [4], [4], none, noAttributes, [1]),
            new(1, "b", Operations.ReLU, "Relu", [4], [4], none, noAttributes, [Architecture.NetworkInput]),
        ];
        var e = Assert.Throws<InvalidInputException>(() => Architecture.FromNodes(nodes, 1, LossKind.CrossEntropy, [4]));
        Assert.Contains("node 'a': reads [1]", e.Message);
    }
}
