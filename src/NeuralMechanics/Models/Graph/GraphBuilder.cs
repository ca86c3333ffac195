using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// Builds the architecture graph by walking a network on a probe batch: a <c>Sequential</c> as a
/// chain of its children, a known layer as one node, an <see cref="IGraphBlock"/> through its own
/// description (checked against its <c>forward</c>), anything else as one
/// <see cref="Operations.Unknown"/> node. The operations below are what a block's description is
/// written with (docs/design.md, "The architecture graph").
/// </summary>
public sealed class GraphBuilder
{
    // How far a block's description may be from its forward on the probe, relative to the output's size.
    private const double DescriptionTolerance = 1e-5;

    private readonly List<LayerInfo> nodes = [];
    private readonly Dictionary<string, int> nameUses = new(StringComparer.Ordinal);
    private readonly Stack<(string Path, nn.Module Module)> scopes = new();

    internal GraphBuilder() { }

    internal IReadOnlyList<LayerInfo> Nodes => nodes;

    /// <summary>The child <paramref name="name"/> of the block being described, applied to <paramref name="input"/>.</summary>
    /// <exception cref="InvalidInputException">The block has no such child.</exception>
    public GraphValue Child(string name, GraphValue input)
    {
        var (path, module) = Scope("Child");
        var child = module.named_children().FirstOrDefault(c => c.name == name).module
            ?? throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): its description names child '{name}', which it does not have; children: {string.Join(", ", module.named_children().Select(c => c.name))}");
        return Module(Join(path, name), child, input);
    }

    /// <summary>The elementwise sum of two tensors of one shape (the residual add).</summary>
    /// <exception cref="InvalidInputException">The shapes differ.</exception>
    public GraphValue Add(GraphValue a, GraphValue b, string name = "add")
    {
        var (path, module) = Scope("Add");
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): add of [{string.Join("x", a.Shape)}] and [{string.Join("x", b.Shape)}]; expected one shape");
        return Operation(Join(path, name), Operations.Add, "add", [a, b], a.Probe + b.Probe);
    }

    /// <summary>The concatenation of <paramref name="parts"/> along per-example dimension <paramref name="dim"/> (0 = channels).</summary>
    /// <exception cref="InvalidInputException">Fewer than two parts, a dimension out of range, or shapes that differ elsewhere.</exception>
    public GraphValue Concat(IReadOnlyList<GraphValue> parts, int dim = 0, string name = "cat")
    {
        var (path, module) = Scope("Concat");
        if (parts.Count < 2 || dim < 0 || dim >= parts[0].Shape.Length
            || parts.Any(p => p.Shape.Length != parts[0].Shape.Length || p.Shape.Where((d, i) => i != dim && d != parts[0].Shape[i]).Any()))
            throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): concat along dimension {dim} of {string.Join(", ", parts.Select(p => $"[{string.Join("x", p.Shape)}]"))}; expected two or more tensors that agree elsewhere");
        return Operation(Join(path, name), Operations.Concat, "cat", parts, cat(parts.Select(p => p.Probe).ToArray(), dim + 1),
            new Dictionary<string, object> { [NodeAttributes.Dim] = (long)dim });
    }

    /// <summary>A functional ReLU (for a block that calls <c>relu</c> in its forward instead of holding a ReLU child).</summary>
    public GraphValue Relu(GraphValue x, string name = "relu") =>
        Operation(Join(Scope("Relu").Path, name), Operations.ReLU, "relu", [x], x.Probe.relu());

    /// <summary>A functional flatten of every per-example dimension into one.</summary>
    public GraphValue Flatten(GraphValue x, string name = "flatten") =>
        Operation(Join(Scope("Flatten").Path, name), Operations.Flatten, "flatten", [x], x.Probe.flatten(1));

    /// <summary>
    /// Image features [C, H, W] as tokens [H·W, C] (row-major over positions): the channels move
    /// to the last dimension, each keeping its values (<see cref="VisionTransformer.ToTokens"/>).
    /// </summary>
    /// <exception cref="InvalidInputException">The input is not C×H×W.</exception>
    public GraphValue Tokens(GraphValue x, string name = "tokens")
    {
        var (path, module) = Scope("Tokens");
        if (x.Shape.Length != 3)
            throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): tokens of [{string.Join("x", x.Shape)}]; expected C×H×W");
        return Operation(Join(path, name), Operations.Tokens, "tokens", [x], VisionTransformer.ToTokens(x.Probe));
    }

    /// <summary>The mean over tokens of [T, D]: [D].</summary>
    /// <exception cref="InvalidInputException">The input is not [T, D].</exception>
    public GraphValue TokenMean(GraphValue x, string name = "mean")
    {
        var (path, module) = Scope("TokenMean");
        if (x.Shape.Length != 2)
            throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): token mean of [{string.Join("x", x.Shape)}]; expected [T, D]");
        return Operation(Join(path, name), Operations.TokenMean, "mean", [x], x.Probe.mean([1]));
    }

    /// <summary>
    /// Multi-head scaled dot-product attention of projected queries, keys and values ([T, d]
    /// each; <see cref="ScaledDotProductAttention"/>): one node reading q, k, v in that order.
    /// </summary>
    /// <exception cref="InvalidInputException">Shapes that differ, or d not divisible by <paramref name="heads"/>.</exception>
    public GraphValue Attention(GraphValue q, GraphValue k, GraphValue v, long heads, string name = "attention")
    {
        var (path, module) = Scope("Attention");
        if (q.Shape.Length != 2 || !q.Shape.SequenceEqual(k.Shape) || !q.Shape.SequenceEqual(v.Shape) || heads < 1 || q.Shape[1] % heads != 0)
            throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): attention of [{string.Join("x", q.Shape)}], [{string.Join("x", k.Shape)}], [{string.Join("x", v.Shape)}] with {heads} heads; expected three [T, d] with d divisible by the heads");
        return Operation(Join(path, name), Operations.Attention, "attention", [q, k, v], ScaledDotProductAttention.Compute(q.Probe, k.Probe, v.Probe, heads),
            new Dictionary<string, object> { [NodeAttributes.Heads] = heads });
    }

    /// <summary>Describes <paramref name="module"/> (named <paramref name="path"/>) applied to <paramref name="input"/>.</summary>
    internal GraphValue Module(string path, nn.Module module, GraphValue input)
    {
        if (module is IGraphBlock block)
        {
            if (module is not nn.Module<Tensor, Tensor> forward)
                throw new InvalidInputException($"module '{Display(path)}' ({module.GetType().Name}): an {nameof(IGraphBlock)} must be a tensor-to-tensor module");
            scopes.Push((path, module));
            GraphValue output;
            try { output = block.Describe(this, input); }
            finally { scopes.Pop(); }
            CheckDescription(path, forward, input, output);
            return output;
        }
        if (module is Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children()) input = Module(Join(path, name), child, input);
            return input;
        }
        if (module is not nn.Module<Tensor, Tensor> layer)
            throw new InvalidInputException($"layer '{Display(path)}': {module.GetType().Name} is not a tensor-to-tensor module");
        Tensor result;
        try
        {
            result = layer.forward(input.Probe);
        }
        catch (Exception e) when (e is not InvalidInputException)
        {
            throw new InvalidInputException($"layer '{Display(path)}' ({module.GetType().Name}): does not accept input of shape [{string.Join("x", input.Shape)}]: {e.Message.Split('\n')[0]}");
        }
        var parameters = module.named_parameters(recurse: true).ToDictionary(p => p.name, p => p.parameter);
        var (operation, attributes) = Operations.Of(module);
        return AddNode(path, operation, module.GetType().Name, [input], result, parameters, attributes);
    }

    private GraphValue Operation(string path, Operation operation, string typeName, IReadOnlyList<GraphValue> inputs, Tensor result,
        IReadOnlyDictionary<string, object>? attributes = null) =>
        AddNode(path, operation, typeName, inputs, result, new Dictionary<string, Parameter>(), attributes ?? new Dictionary<string, object>());

    private GraphValue AddNode(string path, Operation operation, string typeName, IReadOnlyList<GraphValue> inputs, Tensor result,
        IReadOnlyDictionary<string, Parameter> parameters, IReadOnlyDictionary<string, object> attributes)
    {
        // A module used twice (shared weights) gets a second node; its name is made unique, its parameters are the same.
        string name = Display(path);
        int uses = nameUses.TryGetValue(name, out int n) ? n + 1 : 1;
        nameUses[name] = uses;
        if (uses > 1) name = $"{name}#{uses}";
        nodes.Add(new LayerInfo(nodes.Count, name, operation, typeName, inputs[0].Shape, result.shape[1..], parameters, attributes,
            inputs.Select(i => i.Node).ToArray()));
        return new GraphValue(nodes.Count - 1, result);
    }

    private void CheckDescription(string path, nn.Module<Tensor, Tensor> module, GraphValue input, GraphValue output)
    {
        using var expected = module.forward(input.Probe);
        string what = $"module '{Display(path)}' ({module.GetType().Name}): its {nameof(IGraphBlock)}.Describe";
        if (!expected.shape.SequenceEqual(output.Probe.shape))
            throw new InvalidInputException($"{what} gives shape [{string.Join("x", output.Shape)}], its forward [{string.Join("x", expected.shape[1..])}]");
        using var difference = (expected - output.Probe).abs().max();
        using var size = expected.abs().max();
        double diff = difference.ReadDouble(), scale = size.ReadDouble();
        if (!(diff <= DescriptionTolerance * Math.Max(1, scale)))
            throw new InvalidInputException($"{what} does not compute its forward: they differ by {diff:G3} (largest output {scale:G3}) on a random probe");
    }

    private (string Path, nn.Module Module) Scope(string operation) => scopes.Count > 0 ? scopes.Peek()
        : throw new InvalidInputException($"{nameof(GraphBuilder)}.{operation}: only inside an {nameof(IGraphBlock)}.Describe");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "network" : path;
}
