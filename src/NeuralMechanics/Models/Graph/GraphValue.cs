using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// A tensor flowing through the architecture graph while it is described: the node that
/// produces it and its value on the builder's probe batch (which gives shapes and lets the
/// builder check a block's description against its <c>forward</c>).
/// </summary>
public sealed class GraphValue
{
    internal GraphValue(int node, Tensor probe)
    {
        Node = node;
        Probe = probe;
    }

    /// <summary>Index of the producing node in <see cref="Architecture.Layers"/>; <see cref="Architecture.NetworkInput"/> for the network's input.</summary>
    public int Node { get; }

    /// <summary>Per-example shape (no batch dimension).</summary>
    public long[] Shape => Probe.shape[1..];

    internal Tensor Probe { get; }
}
