using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// One layer of a sequential network as the symmetry analysis reads it: its kind, the
/// per-example shapes around it and its parameter tensors ("weight", "bias").
/// </summary>
/// <param name="Index">Position in the network.</param>
/// <param name="Name">Module name in the network (also the prefix of its parameters' names).</param>
/// <param name="Kind">What the analysis knows it as.</param>
/// <param name="TypeName">The module's .NET type name (named in messages about unknown modules).</param>
/// <param name="InputShape">Per-example input shape (no batch dimension).</param>
/// <param name="OutputShape">Per-example output shape.</param>
/// <param name="Parameters">Parameters by local name: weight, bias.</param>
/// <param name="Module">The module itself.</param>
public sealed record LayerInfo(
    int Index,
    string Name,
    LayerKind Kind,
    string TypeName,
    long[] InputShape,
    long[] OutputShape,
    IReadOnlyDictionary<string, Parameter> Parameters,
    nn.Module<Tensor, Tensor> Module)
{
    /// <summary>The weight, or null when the layer has none.</summary>
    public Parameter? Weight => Parameters.TryGetValue("weight", out var p) ? p : null;

    /// <summary>The bias, or null when the layer has none.</summary>
    public Parameter? Bias => Parameters.TryGetValue("bias", out var p) ? p : null;

    /// <summary>Units (Linear features) or channels (Conv2d, BatchNorm) of the output.</summary>
    public long Units => OutputShape.Length == 0 ? 0 : OutputShape[0];

    public override string ToString() =>
        $"{Name} ({Kind}{(Kind == LayerKind.Unknown ? ": " + TypeName : "")}) [{string.Join("x", InputShape)}] -> [{string.Join("x", OutputShape)}]";
}
