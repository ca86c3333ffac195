using TorchSharp.Modules;

namespace NeuralMechanics.Models;

/// <summary>
/// One node of the architecture graph as the symmetry analysis reads it: its operation, the
/// tensors it reads (<see cref="Inputs"/>), the per-example shapes around it, its parameter
/// tensors ("weight", "bias") and its attributes. It holds no module: a graph built from a file
/// is analysed like one built from a TorchSharp network. A node's output is one tensor; nodes are
/// in an order where every node comes after the nodes it reads.
/// </summary>
/// <param name="Index">Position in <see cref="Architecture.Layers"/>.</param>
/// <param name="Name">Module path in the network (the prefix of its parameters' names), e.g. layer1.0.conv1; merges and functional operations get a path in the block that describes them.</param>
/// <param name="Operation">What the node does to channels (a row of <see cref="Operations"/>).</param>
/// <param name="TypeName">The module's .NET type name (named in messages about unknown modules), or the operation's name.</param>
/// <param name="InputShape">Per-example shape of the first input (no batch dimension).</param>
/// <param name="OutputShape">Per-example output shape.</param>
/// <param name="Parameters">Parameters by local name: weight, bias (every parameter inside, by relative path, for an unknown module).</param>
/// <param name="Attributes">Attributes by name (<see cref="NodeAttributes"/>): a LayerNorm's normalized shape, a convolution's groups, an attention's heads, ε.</param>
/// <param name="Inputs">Indices of the nodes whose outputs it reads, in order; <see cref="Architecture.NetworkInput"/> for the network's input.</param>
public sealed record LayerInfo(
    int Index,
    string Name,
    Operation Operation,
    string TypeName,
    long[] InputShape,
    long[] OutputShape,
    IReadOnlyDictionary<string, Parameter> Parameters,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyList<int> Inputs)
{
    /// <summary>The weight, or null when the layer has none.</summary>
    public Parameter? Weight => Parameters.TryGetValue("weight", out var p) ? p : null;

    /// <summary>The bias, or null when the layer has none.</summary>
    public Parameter? Bias => Parameters.TryGetValue("bias", out var p) ? p : null;

    /// <summary>
    /// Parameters of which the node uses only a block of rows (dimension 0), by local name: the first row
    /// and the number of rows. An importer sets it for a packed parameter — PyTorch's multi-head
    /// attention keeps W_Q, W_K, W_V as rows [0, d), [d, 2d), [2d, 3d) of one in_proj_weight — so that a
    /// node's weight is its block and every slice of it names the packed tensor and its real rows.
    /// </summary>
    public IReadOnlyDictionary<string, (long Start, long Rows)> Blocks { get; init; } = new Dictionary<string, (long, long)>();

    /// <summary>The shape of parameter <paramref name="name"/> as the node uses it (its row block's, or the whole parameter's).</summary>
    public long[] ShapeOf(string name)
    {
        var shape = Parameters[name].shape;
        return Blocks.TryGetValue(name, out var b) ? [b.Rows, .. shape[1..]] : shape;
    }

    /// <summary>The first row of parameter <paramref name="name"/> the node uses (0 unless it is a block).</summary>
    public long StartOf(string name) => Blocks.TryGetValue(name, out var b) ? b.Start : 0;

    /// <summary>The part of parameter <paramref name="name"/> the node uses, as a view of it (the whole parameter unless it is a block).</summary>
    public TorchSharp.torch.Tensor Used(string name) =>
        Blocks.TryGetValue(name, out var b) ? Parameters[name].narrow(0, b.Start, b.Rows) : Parameters[name];

    /// <summary>Units (Linear features) or channels (Conv2d, BatchNorm) of the output.</summary>
    public long Units => OutputShape.Length == 0 ? 0 : OutputShape[0];

    /// <summary>Heads of an attention node (0 for every other node).</summary>
    public long Heads => Attribute<long>(NodeAttributes.Heads);

    /// <summary>Attribute <paramref name="name"/>, or default when the node has none of that type.</summary>
    public T? Attribute<T>(string name) => Attributes.TryGetValue(name, out var v) && v is T t ? t : default;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} ({Operation.Name}{(Operation.Opaque ? ": " + TypeName : "")}) [{string.Join("x", InputShape)}] -> [{string.Join("x", OutputShape)}]";
}
