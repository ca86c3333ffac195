using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// A PyTorch model imported from an ONNX file exported in training mode: a TorchSharp module that runs
/// the file's graph node by node. Its parameters are the initializers the graph trains (weights, biases,
/// BatchNorm and LayerNorm affine), BatchNorm's running statistics are buffers; Dropout and
/// BatchNormalization follow the module's training or eval mode. It trains like any other network and
/// names its parameters for Python through <see cref="IStateDictNames"/> (docs/design.md, "ONNX import").
/// </summary>
public sealed class OnnxNetwork : nn.Module<Tensor, Tensor>, IStateDictNames, IDescribesItself
{
    private readonly OnnxNode[] nodes;
    private readonly string file;
    private readonly long opset;
    // Initializer name → own (registered) name, for parameters and buffers.
    private readonly Dictionary<string, string> parameterNames = new();
    private readonly Dictionary<string, string> bufferNames = new();
    // Constants (Constant nodes, integer initializers, the exporter's own float initializers) on the CPU.
    private readonly Dictionary<string, Tensor> constants = new();
    // Floating constants copied to the device and dtype of the computation, made once.
    private readonly Dictionary<(string, DeviceType, int, ScalarType), Tensor> placed = new();
    private readonly Dictionary<string, string> stateDictNames = new();
    // The nodes executed by a child module (Dropout, LeakyRelu), by node index.
    private readonly Dictionary<int, nn.Module<Tensor, Tensor>> nodeModules = new();

    private OnnxNetwork(OnnxFile onnx) : base(nameof(OnnxNetwork))
    {
        file = onnx.Path;
        opset = onnx.Opset;
        nodes = onnx.Graph.Node.Select((n, i) => new OnnxNode(n, i)).ToArray();
        ExampleShape = onnx.ExampleShape;
        Classes = onnx.Classes;
        InputName = onnx.Input.Name;
        OutputName = onnx.Graph.Output[0].Name;
        OnnxOperators.CheckSupported(nodes, file);
        EvalExport.Refuse(nodes, onnx);

        var owned = new HashSet<string>();
        var bufferInputs = new HashSet<string>();
        foreach (var n in nodes.Where(n => n.OpType == "BatchNormalization"))
            for (var i = 3; i < 5 && i < n.Inputs.Length; i++) bufferInputs.Add(n.Inputs[i]);
        var used = nodes.SelectMany(n => n.Inputs).ToHashSet();
        foreach (var (name, proto) in onnx.Initializers)
        {
            if (!used.Contains(name)) continue;
            var value = OnnxFile.ToTensor(proto, file);
            // A state_dict entry keeps its name; the exporter's own constants are "onnx::…" or "/…".
            var isState = OnnxFile.IsFloating(proto) && !name.Contains("::") && !name.StartsWith('/');
            if (!isState)
            {
                constants[name] = value;
                continue;
            }
            var own = OwnName(name, owned);
            stateDictNames[own] = name;
            if (bufferInputs.Contains(name))
            {
                register_buffer(own, value);
                bufferNames[name] = own;
            }
            else
            {
                register_parameter(own, new Parameter(value, requires_grad: true));
                parameterNames[name] = own;
            }
        }
        foreach (var n in nodes.Where(n => n.OpType == "Constant"))
            constants[n.Outputs[0]] = OnnxOperators.ConstantValue(n, file);
        for (var i = 0; i < nodes.Length; i++)
        {
            // LeakyRelu is a child HeldLeakyReLU, which holds its slope's Scalar for the module's life.
            if (nodes[i].OpType == "LeakyRelu")
            {
                var l = new HeldLeakyReLU(nodes[i].Float("alpha", 0.01));
                nodeModules[i] = l;
                register_module($"leaky_relu{nodeModules.Count}", l);
            }
            // A Dropout node is a child nn.Dropout: it follows the module's mode, and whoever switches
            // dropout modules off (the verifier's two forward passes) switches it off too.
            if (nodes[i].OpType == "Dropout")
            {
                var d = nn.Dropout(DropoutRatio(nodes[i]));
                nodeModules[i] = d;
                register_module($"dropout{nodeModules.Count}", d);
            }
        }
    }

    /// <summary>Reads an ONNX file exported with <c>training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False</c>.
    /// A file that is not ONNX, uses an operator outside the supported set, or was exported in eval mode
    /// (BatchNorm folded into the convolutions) is an <see cref="InvalidInputException"/> that says so.</summary>
    public static OnnxNetwork Load(string path)
    {
        var network = new OnnxNetwork(OnnxFile.Read(path));
        network.train();
        return network;
    }

    /// <summary>Output channels of every convolution in the file at <paramref name="path"/> (empty when it cannot be read:
    /// <see cref="Load"/> says why), for <see cref="NativeEnvironment.PrepareConvolutions"/> before the first tensor operation.</summary>
    public static IReadOnlyList<long> ConvolutionChannels(string path)
    {
        try
        {
            var onnx = OnnxFile.Read(path);
            return onnx.Graph.Node.Where(n => n.OpType == "Conv" && n.Input.Count > 1 && onnx.Initializers.ContainsKey(n.Input[1]))
                .Select(n => onnx.Initializers[n.Input[1]].Dims[0]).ToList();
        }
        catch (InvalidInputException)
        {
            return [];
        }
    }

    /// <summary>The shape of one example, from the graph's input (C×H×W, features, or T×D).</summary>
    public long[] ExampleShape { get; }

    /// <summary>The classes: the last dimension of the graph's output.</summary>
    public long Classes { get; }

    /// <summary>The graph's input name.</summary>
    public string InputName { get; }

    /// <summary>The graph's output name.</summary>
    public string OutputName { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> StateDictNames => stateDictNames;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Execute(input, null);

    /// <summary>Runs the graph; <paramref name="observe"/> sees every value a node computes (the graph builder's probe).</summary>
    internal Tensor Execute(Tensor input, Action<string, Tensor>? observe)
    {
        using var scope = torch.NewDisposeScope();
        var values = new Dictionary<string, Tensor> { [InputName] = input };
        var run = new OnnxOperators.Context(this, input.dtype, input.device);
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            if (node.OpType == "Constant") continue;
            var inputs = new Tensor?[node.Inputs.Length];
            for (var k = 0; k < inputs.Length; k++)
                inputs[k] = node.Has(k) ? Value(node.Inputs[k], values, run) : null;
            var output = OnnxOperators.Run(node, i, inputs, run);
            values[node.Outputs[0]] = output;
            observe?.Invoke(node.Outputs[0], output);
        }
        return scope.MoveToOuter(Value(OutputName, values, run));
    }

    private Tensor Value(string name, Dictionary<string, Tensor> values, OnnxOperators.Context run)
    {
        if (values.TryGetValue(name, out var v)) return v;
        if (parameterNames.TryGetValue(name, out var p)) return get_parameter(p)!;
        if (bufferNames.TryGetValue(name, out var b)) return get_buffer(b)!;
        if (constants.TryGetValue(name, out var c))
        {
            if (!c.is_floating_point()) return c;
            var key = (name, run.Device.type, run.Device.index, run.FloatType);
            if (!placed.TryGetValue(key, out var t))
            {
                t = c.to(run.FloatType, run.Device).DetachFromDisposeScope();
                placed[key] = t;
            }
            return t;
        }
        throw InvalidInputException.InFile(file, $"value {name}", "expected a value produced by an earlier node, an initializer or a constant, found none (the nodes are not in topological order?)");
    }

    /// <summary>The architecture graph of the imported model (OnnxGraph), what discovery and training analyse.</summary>
    Architecture IDescribesItself.Describe(long[] inputShape, LossKind loss)
    {
        if (!inputShape.SequenceEqual(ExampleShape))
            throw InvalidInputException.InFile(file, "graph.input", $"expected examples of shape [{string.Join(",", inputShape)}], found [{string.Join(",", ExampleShape)}]");
        return OnnxGraph.Build(this, nodes, loss);
    }

    /// <summary>The values of integer constant <paramref name="name"/> (a Constant node's or an initializer's), or null.</summary>
    internal long[]? IntegerConstant(string name) =>
        constants.TryGetValue(name, out var c) && !c.is_floating_point() && c.numel() <= 8 ? c.to(ScalarType.Int64).data<long>().ToArray() : null;

    /// <summary>The value of floating scalar constant <paramref name="name"/> (a Constant node's or the exporter's initializer), or null.</summary>
    internal double? FloatConstant(string name) =>
        constants.TryGetValue(name, out var c) && c.is_floating_point() && c.numel() == 1 ? c.to(ScalarType.Float64).data<double>()[0] : null;

    /// <summary>Every node input that is a constant (not computed by a node, not a parameter or buffer).</summary>
    internal IEnumerable<string> ConstantInputs() => nodes.SelectMany(n => n.Inputs).Where(constants.ContainsKey).Distinct();

    internal long Opset => opset;

    internal string FilePath => file;

    /// <summary>The child module that executes node <paramref name="node"/> (a Dropout or a LeakyRelu).</summary>
    internal nn.Module<Tensor, Tensor> ChildOf(int node) => nodeModules[node];

    /// <summary>A Dropout node's ratio: its constant second input (opset ≥ 12) or attribute, 0.5 when absent.</summary>
    internal double DropoutRatio(OnnxNode n)
    {
        if (opset < 12) return n.Float("ratio", 0.5);
        if (!n.Has(1)) return 0.5;
        if (!constants.TryGetValue(n.Inputs[1], out var ratio))
            throw InvalidInputException.InFile(file, $"node {n.Name} (Dropout) ratio", "expected a constant ratio, found a computed value");
        return ratio.to(ScalarType.Float64).data<double>()[0];
    }

    /// <summary>The registered name of an initializer: its state_dict name with '.' and other separators as '_', unique.</summary>
    private static string OwnName(string name, HashSet<string> owned)
    {
        var sb = new StringBuilder();
        foreach (var ch in name) sb.Append(char.IsLetterOrDigit(ch) ? ch : '_');
        var own = sb.ToString();
        var candidate = own;
        for (var k = 2; !owned.Add(candidate); k++) candidate = $"{own}_{k}";
        return candidate;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var c in constants.Values) c.Dispose();
            foreach (var t in placed.Values) t.Dispose();
        }
        base.Dispose(disposing);
    }
}
