using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// The architecture graph of an imported network, built from its ONNX nodes through the table of
/// operations (docs/design.md, "ONNX import"). Only the data path is a node: the values computed from
/// the input (shape arithmetic and constants are not). A Conv is a Conv2d, a Gemm(x, Wᵀ) + b and a
/// MatMul(x, Transpose(W)) followed by Add(b) are a Linear, BatchNormalization and LayerNormalization
/// (over the last axis) their norms, Clip is ReLU6 (not positively homogeneous), a zero Pad the identity.
/// Two multi-node patterns become the zoo's nodes: PyTorch's multi-head attention
/// (<see cref="MultiHeadAttention"/>: q, k, v as row blocks of in_proj_weight, attention, o) and an
/// opset &lt; 17 LayerNorm's decomposition (<see cref="DecomposedLayerNorm"/>). Any other op on the data
/// path (Transpose, Softmax, MatMul of two activations, Mul/Div by a constant, the nodes of a pattern that
/// does not match) is an Unknown node named after its ONNX node, which discovery names in its notes with
/// the symmetries it stops.
/// </summary>
internal static class OnnxGraph
{
    public static Architecture Build(OnnxNetwork network, IReadOnlyList<OnnxNode> nodes, LossKind loss)
    {
        var (shapes, small) = ProbeShapes(network);
        var param = network.named_parameters().ToDictionary(p => network.StateDictNames[p.name], p => p.parameter);
        // Transpose(W) of a parameter is a view of W, not a node.
        var transposed = nodes.Where(n => n.OpType == "Transpose" && n.Inputs.Length == 1 && param.ContainsKey(n.Inputs[0])
                                          && (n.Ints("perm") ?? [1, 0]).SequenceEqual(new long[] { 1, 0 }))
            .ToDictionary(n => n.Outputs[0], n => n.Inputs[0]);
        var consumers = new Dictionary<string, List<OnnxNode>>();
        foreach (var n in nodes) foreach (var i in n.Inputs.Where(i => i.Length > 0)) (consumers.TryGetValue(i, out var l) ? l : consumers[i] = new()).Add(n);

        var index = new Dictionary<string, int> { [network.InputName] = Architecture.NetworkInput };
        var layers = new List<LayerInfo>();
        var absorbed = new HashSet<OnnxNode>();
        var attentions = MultiHeadAttention.Find(nodes, param, transposed, consumers, shapes, small);
        foreach (var m in attentions) absorbed.UnionWith(m.Nodes);
        var attentionAt = attentions.ToDictionary(m => m.Last, m => m);
        var norms = DecomposedLayerNorm.Find(network, nodes, param, consumers, shapes);
        foreach (var m in norms) absorbed.UnionWith(m.Nodes);
        var normAt = norms.ToDictionary(m => m.Last, m => m);
        var none = new Dictionary<string, object>();
        foreach (var n in nodes)
        {
            if (attentionAt.TryGetValue(n, out var found) && index.TryGetValue(found.Input, out var from))
            {
                index[found.Output] = found.AddNodes(layers, from, PerExample(shapes[found.Input].shape), PerExample(shapes[found.Output].shape), param);
                continue;
            }
            if (normAt.TryGetValue(n, out var norm) && index.TryGetValue(norm.Input, out var normed))
            {
                var shape = PerExample(shapes[norm.Output].shape);
                layers.Add(new LayerInfo(layers.Count, Prefix(norm.Weight), Operations.LayerNorm, "ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add", shape, shape,
                    new Dictionary<string, Parameter> { ["weight"] = param[norm.Weight], ["bias"] = param[norm.Bias] },
                    new Dictionary<string, object> { [NodeAttributes.NormalizedShape] = new[] { shape[^1] }, [NodeAttributes.Eps] = norm.Eps }, [normed]));
                index[norm.Output] = layers.Count - 1;
                continue;
            }
            if (absorbed.Contains(n)) continue;
            var data = n.Inputs.Where(i => index.ContainsKey(i)).ToList();
            if (data.Count == 0 || !shapes.TryGetValue(n.Outputs[0], out var outShape) || outShape.floating is false) continue;
            var inShape = PerExample(data[0] == network.InputName ? [0, .. network.ExampleShape] : shapes[data[0]].shape);
            Parameter? P(int i) => i < n.Inputs.Length && param.TryGetValue(n.Inputs[i], out var p) ? p : null;
            Operation op;
            var ps = new Dictionary<string, Parameter>();
            var attributes = new Dictionary<string, object>();
            string name = n.Name.TrimStart('/');
            var output = n.Outputs[0];
            switch (n.OpType)
            {
                case "Conv" when P(1) is { } w:
                    op = Operations.Conv2d;
                    ps["weight"] = w;
                    if (P(2) is { } b) ps["bias"] = b;
                    attributes[NodeAttributes.Groups] = n.Int("group", 1);
                    name = Prefix(n.Inputs[1]);
                    break;
                case "Gemm" when P(1) is { } w && n.Int("transB", 0) == 1 && n.Int("transA", 0) == 0 && n.Float("alpha", 1) == 1 && n.Float("beta", 1) == 1
                                 && (n.Inputs.Length < 3 || P(2) is not null):
                    op = Operations.Linear;
                    ps["weight"] = w;
                    if (P(2) is { } gb) ps["bias"] = gb;
                    name = Prefix(n.Inputs[1]);
                    break;
                case "MatMul" when n.Inputs.Length == 2 && transposed.TryGetValue(n.Inputs[1], out var wName) && index.ContainsKey(n.Inputs[0]):
                {
                    op = Operations.Linear;
                    ps["weight"] = param[wName];
                    name = Prefix(wName);
                    // The exporter writes Linear's bias as Add(bias, MatMul(x, Wᵀ)).
                    if (consumers.TryGetValue(output, out var after) && after.Count == 1 && after[0].OpType == "Add"
                        && after[0].Inputs.FirstOrDefault(i => i != output) is { } biasName && param.TryGetValue(biasName, out var bias) && bias.dim() == 1)
                    {
                        ps["bias"] = bias;
                        absorbed.Add(after[0]);
                        output = after[0].Outputs[0];
                    }
                    break;
                }
                case "BatchNormalization" when P(1) is { } g && P(2) is { } beta:
                    op = outShape.shape.Length == 4 ? Operations.BatchNorm2d : Operations.BatchNorm1d;
                    ps["weight"] = g; ps["bias"] = beta;
                    attributes[NodeAttributes.Eps] = n.Float("epsilon", 1e-5);
                    name = Prefix(n.Inputs[1]);
                    break;
                case "LayerNormalization" when P(1) is { } g && (n.Int("axis", -1) is -1 || n.Int("axis", -1) == outShape.shape.Length - 1):
                    op = Operations.LayerNorm;
                    ps["weight"] = g;
                    if (P(2) is { } lb) ps["bias"] = lb;
                    attributes[NodeAttributes.NormalizedShape] = new[] { outShape.shape[^1] };
                    attributes[NodeAttributes.Eps] = n.Float("epsilon", 1e-5);
                    name = Prefix(n.Inputs[1]);
                    break;
                case "Relu": op = Operations.ReLU; break;
                case "LeakyRelu": op = Operations.LeakyReLU; break;
                case "Tanh": op = Operations.Tanh; break;
                case "Sigmoid": op = Operations.Sigmoid; break;
                case "Gelu": op = Operations.GELU; break;
                case "Clip": op = Operations.ReLU6; break;
                case "MaxPool": op = Operations.MaxPool2d; break;
                case "AveragePool": op = Operations.AvgPool2d; break;
                case "GlobalAveragePool": op = Operations.AdaptiveAvgPool2d; break;
                case "Flatten" when n.Int("axis", 1) == 1: op = Operations.Flatten; break;
                // p = 0 (nn.TransformerEncoderLayer(dropout=0.0)) is the identity in training too: it passes a shift.
                case "Dropout": op = network.DropoutRatio(n) == 0 ? Operations.Identity : Operations.Dropout; break;
                case "Identity": op = Operations.Identity; break;
                case "Pad" when ZeroPad(shapes, n, data[0]): op = Operations.Identity; break;
                case "Add" when data.Count == 2: op = Operations.Add; break;
                case "Concat" when data.Count == n.Inputs.Length:
                    op = Operations.Concat;
                    attributes[NodeAttributes.Dim] = n.Int("axis", 0) < 0 ? n.Int("axis", 0) + outShape.shape.Length - 1 : n.Int("axis", 0) - 1;
                    break;
                case "Reshape": op = Operations.Reshape; break;
                default:
                    op = Operations.Unknown;
                    for (var i = 0; i < n.Inputs.Length; i++)
                        if (P(i) is { } p) ps[n.Inputs[i]] = p;
                        else if (transposed.TryGetValue(n.Inputs[i], out var t)) ps[t] = param[t];
                    break;
            }
            var inputs = (op == Operations.Unknown || op.Merge != Merge.None ? data : data.Take(1)).Select(i => index[i]).ToList();
            layers.Add(new LayerInfo(layers.Count, name, op, n.OpType, inShape, PerExample(shapes[output].shape), ps,
                attributes.Count == 0 ? none : attributes, inputs));
            index[output] = layers.Count - 1;
        }
        if (!index.TryGetValue(network.OutputName, out var last))
            throw new InvalidInputException($"{network.FilePath}: graph.output: expected an output computed from the input");
        return Architecture.FromNodes(layers, last, loss, network.ExampleShape, network);
    }

    /// <summary>A layer's name from its weight's state_dict name: "layer1.0.conv1.weight" → "layer1.0.conv1".</summary>
    private static string Prefix(string parameter)
    {
        var dot = parameter.LastIndexOf('.');
        return dot > 0 ? parameter[..dot] : parameter;
    }

    internal static long[] PerExample(long[] shape) => shape.Length == 0 ? shape : shape[1..];

    private static bool ZeroPad(Dictionary<string, (long[] shape, bool floating)> shapes, OnnxNode n, string input) =>
        shapes.TryGetValue(input, out var a) && shapes.TryGetValue(n.Outputs[0], out var b) && a.shape.SequenceEqual(b.shape);

    /// <summary>
    /// Every value's shape and whether it is floating, and the values of small integer tensors (the shape
    /// arithmetic: a Slice's bounds), from one forward of a probe batch of 2 (eval mode, no grad, its own generator).
    /// </summary>
    private static (Dictionary<string, (long[] shape, bool floating)>, Dictionary<string, long[]>) ProbeShapes(OnnxNetwork network)
    {
        var shapes = new Dictionary<string, (long[], bool)>();
        var small = new Dictionary<string, long[]>();
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var first = network.parameters().FirstOrDefault();
            using var generator = new Generator(0);
            var x = randn([2, .. network.ExampleShape], dtype: first?.dtype ?? get_default_dtype(), generator: generator).to(first?.device ?? CPU);
            network.Execute(x, (name, value) =>
            {
                shapes[name] = (value.shape, value.is_floating_point());
                if (!value.is_floating_point() && value.numel() <= 8) small[name] = value.to(ScalarType.Int64).cpu().data<long>().ToArray();
            });
            // Constants are not computed by a node: their values are the network's.
            foreach (var input in network.ConstantInputs())
                if (network.IntegerConstant(input) is { } v) small[input] = v;
        }
        finally
        {
            network.train(wasTraining);
        }
        return (shapes, small);
    }
}
