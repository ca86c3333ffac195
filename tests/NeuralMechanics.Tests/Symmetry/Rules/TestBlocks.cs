using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Symmetry.Rules;

/// <summary>Modules a researcher might write, for the rule tests.</summary>
internal static class TestBlocks
{
    /// <summary>Discovers the symmetries of <paramref name="network"/> on inputs of shape <paramref name="shape"/>.</summary>
    public static SymmetryAnalysis Discover(nn.Module<Tensor, Tensor> network, long[] shape, LossKind loss = LossKind.CrossEntropy) =>
        SymmetryDiscovery.Discover(Architecture.Describe(network, shape, loss));
}

/// <summary>relu(x + fc2(relu(fc1(x)))): a residual MLP block that calls relu functionally and describes itself.</summary>
internal sealed class ResidualMlpBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Linear fc1, fc2;

    public ResidualMlpBlock(long features, long hidden) : base(nameof(ResidualMlpBlock))
    {
        fc1 = nn.Linear(features, hidden);
        fc2 = nn.Linear(hidden, features);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => (x + fc2.forward(fc1.forward(x).relu())).relu();

    public GraphValue Describe(GraphBuilder graph, GraphValue x) =>
        graph.Relu(graph.Add(x, graph.Child("fc2", graph.Relu(graph.Child("fc1", x), "relu1"))), "relu2");
}

/// <summary>The same block without a description: opaque to the analysis.</summary>
internal sealed class OpaqueMlpBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;

    public OpaqueMlpBlock(long features, long hidden) : base(nameof(OpaqueMlpBlock))
    {
        fc1 = nn.Linear(features, hidden);
        fc2 = nn.Linear(hidden, features);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => (x + fc2.forward(fc1.forward(x).relu())).relu();
}

/// <summary>A block whose description forgets the residual add: the builder must reject it.</summary>
internal sealed class MisdescribedBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Linear fc1, fc2;

    public MisdescribedBlock(long features, long hidden) : base(nameof(MisdescribedBlock))
    {
        fc1 = nn.Linear(features, hidden);
        fc2 = nn.Linear(hidden, features);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => (x + fc2.forward(fc1.forward(x).relu())).relu();

    public GraphValue Describe(GraphBuilder graph, GraphValue x) =>
        graph.Relu(graph.Child("fc2", graph.Relu(graph.Child("fc1", x))));
}

/// <summary>bn(a(x) + b(x)): two biased Linears summed into one BatchNorm.</summary>
internal sealed class TwoBranchNormBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Linear a, b;
    private readonly BatchNorm1d bn;

    public TwoBranchNormBlock(long features, long units) : base(nameof(TwoBranchNormBlock))
    {
        a = nn.Linear(features, units);
        b = nn.Linear(features, units);
        bn = nn.BatchNorm1d(units);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bn.forward(a.forward(x) + b.forward(x));

    public GraphValue Describe(GraphBuilder graph, GraphValue x) => graph.Child("bn", graph.Add(graph.Child("a", x), graph.Child("b", x)));
}

/// <summary>fc(fc(x)): one Linear applied twice (shared weights).</summary>
internal sealed class SharedLinearBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Linear fc;

    public SharedLinearBlock(long features) : base(nameof(SharedLinearBlock))
    {
        fc = nn.Linear(features, features);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc.forward(fc.forward(x).relu());

    public GraphValue Describe(GraphBuilder graph, GraphValue x) => graph.Child("fc", graph.Relu(graph.Child("fc", x)));
}

/// <summary>
/// SqueezeNet's fire module: squeeze 1×1 → ReLU → [expand 1×1 → ReLU, expand 3×3 → ReLU]
/// concatenated along <paramref name="dim"/> (0: the channels), described with <see cref="GraphBuilder.Concat"/>.
/// </summary>
internal sealed class FireBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Conv2d squeeze, expand1x1, expand3x3;
    private readonly int dim;

    public FireBlock(long inputs, long squeezed, long expanded1, long expanded3, int dim = 0) : base(nameof(FireBlock))
    {
        squeeze = nn.Conv2d(inputs, squeezed, 1);
        expand1x1 = nn.Conv2d(squeezed, expanded1, 1);
        expand3x3 = nn.Conv2d(squeezed, expanded3, 3, padding: 1);
        this.dim = dim;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var s = squeeze.forward(x).relu();
        return cat([expand1x1.forward(s).relu(), expand3x3.forward(s).relu()], dim + 1);
    }

    public GraphValue Describe(GraphBuilder graph, GraphValue x)
    {
        var s = graph.Relu(graph.Child("squeeze", x), "relu");
        return graph.Concat([graph.Relu(graph.Child("expand1x1", s), "relu1"), graph.Relu(graph.Child("expand3x3", s), "relu3")], dim);
    }
}
