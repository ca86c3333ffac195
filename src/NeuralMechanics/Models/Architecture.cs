using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// The description of a network that the symmetry analysis reads (docs/design.md, "The
/// architecture graph"): a graph of nodes — parametrized layers, parameter-free operations,
/// merges — with their operations (<see cref="Operations"/>), per-example shapes, parameter
/// tensors and attributes, plus the loss that follows
/// the output. A chain of layers (a <c>Sequential</c>) is the special case where every node
/// reads the one before it.
/// </summary>
public sealed class Architecture
{
    /// <summary>The index that stands for the network's input among a node's <see cref="LayerInfo.Inputs"/>.</summary>
    public const int NetworkInput = -1;

    private readonly IReadOnlyList<int>[] consumers;
    private readonly IReadOnlyList<int> inputConsumers;
    // The described network, kept alive: its parameters are the nodes' tensors, and a module the
    // collector finalises disposes them (an architecture outliving a dropped ZooModel broke so).
    private readonly object? network;

    private Architecture(IReadOnlyList<LayerInfo> layers, int output, LossKind loss, long[] inputShape, IReadOnlyList<string> undescribed,
        object? network = null)
    {
        this.network = network;
        Layers = layers;
        Output = output;
        Loss = loss;
        InputShape = inputShape;
        UndescribedParameters = undescribed;
        // Each use is the rows it takes: disjoint row blocks of one packed parameter (q, k, v of in_proj_weight) are not a sharing.
        var uses = layers.SelectMany(l => l.Parameters.Select(p => (p.Value, Rows: (l.StartOf(p.Key), l.ShapeOf(p.Key).FirstOrDefault(1)))))
            .GroupBy(u => u.Value, ReferenceEqualityComparer.Instance).ToList();
        ParameterCount = uses.Sum(g => ((Parameter)g.Key!).numel());
        SharedParameters = uses.Where(g => Overlap(g.Select(u => u.Rows).ToList())).Select(g => (Parameter)g.Key!).ToHashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var readers = Enumerable.Range(0, layers.Count).Select(_ => new List<int>()).ToArray();
        var inputReaders = new List<int>();
        foreach (var l in layers)
            foreach (int i in l.Inputs.Distinct())
                (i == NetworkInput ? inputReaders : readers[i]).Add(l.Index);
        consumers = readers;
        inputConsumers = inputReaders;
    }

    /// <summary>Nodes in forward order: every node after the nodes it reads.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>The node whose output is the network's output (<see cref="NetworkInput"/> for a network that returns its input).</summary>
    public int Output { get; }

    /// <summary>The loss applied to the output.</summary>
    public LossKind Loss { get; }

    /// <summary>Per-example input shape.</summary>
    public long[] InputShape { get; }

    /// <summary>Number of trainable scalars (a parameter shared by several nodes counted once).</summary>
    public long ParameterCount { get; }

    private static bool Overlap(List<(long Start, long Rows)> uses) =>
        uses.SelectMany((a, i) => uses.Skip(i + 1), (a, b) => (a, b)).Any(x => x.a.Start < x.b.Start + x.b.Rows && x.b.Start < x.a.Start + x.a.Rows);

    /// <summary>Parameters that more than one node uses (a module applied twice): no symmetry is counted on them.</summary>
    public IReadOnlySet<Parameter> SharedParameters { get; }

    /// <summary>Names of the network's parameters that no node holds: a block's description left them out.</summary>
    public IReadOnlyList<string> UndescribedParameters { get; }

    /// <summary>Output units of the network (classes).</summary>
    public long Outputs => OutputShape[^1];

    /// <summary>Per-example shape of the network's output.</summary>
    public long[] OutputShape => Output == NetworkInput ? InputShape : Layers[Output].OutputShape;

    /// <summary>The nodes that read the output of node <paramref name="node"/> (or of the input, for <see cref="NetworkInput"/>).</summary>
    public IReadOnlyList<int> Consumers(int node) => node == NetworkInput ? inputConsumers : consumers[node];

    /// <summary>Per-example shape of the output of node <paramref name="node"/> (the input's for <see cref="NetworkInput"/>).</summary>
    public long[] ShapeOf(int node) => node == NetworkInput ? InputShape : Layers[node].OutputShape;

    /// <summary>
    /// A graph built without a module (by an importer, or by hand): <paramref name="nodes"/> in
    /// forward order, each <see cref="LayerInfo.Index"/> its position, reading only nodes before it.
    /// </summary>
    /// <exception cref="InvalidInputException">No nodes, an index out of place, or a node reading one that does not come before it.</exception>
    public static Architecture FromNodes(IReadOnlyList<LayerInfo> nodes, int output, LossKind loss, long[] inputShape) =>
        FromNodes(nodes, output, loss, inputShape, network: null);

    /// <summary>
    /// <see cref="FromNodes(IReadOnlyList{LayerInfo}, int, LossKind, long[])"/> for the graph of a
    /// module (an imported network), kept alive as <see cref="Describe"/> keeps the modules it describes.
    /// </summary>
    internal static Architecture FromNodes(IReadOnlyList<LayerInfo> nodes, int output, LossKind loss, long[] inputShape, object? network)
    {
        if (nodes.Count == 0) throw new InvalidInputException("network: has no layers");
        for (int at = 0; at < nodes.Count; at++)
        {
            var node = nodes[at];
            if (node.Index != at)
                throw new InvalidInputException($"node '{node.Name}': index {node.Index}, at position {at}; expected its position");
            if (node.Inputs.Count == 0 || node.Inputs.Any(i => i < NetworkInput || i >= node.Index))
                throw new InvalidInputException($"node '{node.Name}': reads [{string.Join(", ", node.Inputs)}]; expected one or more earlier nodes ({NetworkInput} for the input)");
        }
        if (output < NetworkInput || output >= nodes.Count)
            throw new InvalidInputException($"network: output node {output}; expected {NetworkInput} to {nodes.Count - 1}");
        return new Architecture(nodes, output, loss, inputShape, [], network);
    }

    /// <summary>
    /// Describes <paramref name="network"/> (see <see cref="GraphBuilder"/>): a <c>Sequential</c> as a
    /// chain, a known layer as one node, an <see cref="IGraphBlock"/> through its description, anything
    /// else as one unknown node. Shapes come from one forward pass of a random probe batch of 2 (eval
    /// mode, no grad, its own generator so torch's global seed is untouched; the mode is restored
    /// afterwards). Throws <see cref="InvalidInputException"/> when the input shape does not fit the
    /// network or a block's description does not compute its forward.
    /// </summary>
    public static Architecture Describe(nn.Module<Tensor, Tensor> network, long[] inputShape, LossKind loss)
    {
        // An imported network builds its graph from its file (Models/Onnx/OnnxGraph).
        if (network is IDescribesItself self) return self.Describe(inputShape, loss);
        // The probe pass may be the process's first convolution: oneDNN's guard goes first (as for zoo models).
        NativeEnvironment.PrepareConvolutions(NativeEnvironment.ConvolutionChannels(network));
        bool wasTraining = network.training;
        network.eval();
        GraphBuilder builder = new();
        int output;
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var first = network.parameters().FirstOrDefault();
            using var generator = new Generator(0);
            var x = randn([2, .. inputShape], dtype: first?.dtype ?? get_default_dtype(), generator: generator).to(first?.device ?? CPU);
            output = builder.Module("", network, new GraphValue(NetworkInput, x)).Node;
        }
        finally
        {
            network.train(wasTraining);
        }
        if (builder.Nodes.Count == 0) throw new InvalidInputException("network: has no layers");
        var held = builder.Nodes.SelectMany(l => l.Parameters.Values).ToHashSet(ReferenceEqualityComparer.Instance);
        var undescribed = network.named_parameters().Where(p => !held.Contains(p.parameter)).Select(p => p.name).ToList();
        return new Architecture(builder.Nodes, output, loss, inputShape, undescribed, network);
    }
}
