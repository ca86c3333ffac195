using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>The ways a symmetry group takes its part of a parameter (docs/design.md, "Counting convention").</summary>
internal static class Slices
{
    /// <summary>Row u (output unit/channel u) of parameter <paramref name="name"/>: view [units, rest].</summary>
    public static UnitSlice Rows(LayerInfo l, string name)
    {
        var shape = l.ShapeOf(name);
        long n = Numel(shape);
        return new UnitSlice(l.Name, name, l.Parameters[name], [shape[0], n / shape[0]], 0) { Start = l.StartOf(name) };
    }

    /// <summary>The whole parameter as one unit: view [1, numel].</summary>
    public static UnitSlice Whole(LayerInfo l, string name)
    {
        return new UnitSlice(l.Name, name, l.Parameters[name], [1, Numel(l.ShapeOf(name))], 0) { Start = l.StartOf(name) };
    }

    /// <summary>Input column j of a Linear weight (that column across every output): view [out, in], unit dimension 1.</summary>
    public static UnitSlice Columns(LayerInfo l)
    {
        var w = l.ShapeOf("weight");
        return new UnitSlice(l.Name, "weight", l.Weight!, [w[0], w[1]], 1) { Start = l.StartOf("weight") };
    }

    /// <summary>
    /// The weights of a Linear/Conv2d that read channel c of a <paramref name="channels"/>-channel
    /// input: view [out, channels, rest], unit dimension 1 (after a flatten: every spatial position of the channel).
    /// </summary>
    public static UnitSlice Reading(LayerInfo l, long channels)
    {
        var w = l.ShapeOf("weight");
        return new UnitSlice(l.Name, "weight", l.Weight!, [w[0], channels, Numel(w) / (w[0] * channels)], 1) { Start = l.StartOf("weight") };
    }

    /// <summary>Input column j of a Linear or Conv2d weight (that input, or input channel and kernel position, across every output): view [out, rest], unit dimension 1.</summary>
    public static UnitSlice InputColumns(LayerInfo l)
    {
        var w = l.ShapeOf("weight");
        return new UnitSlice(l.Name, "weight", l.Weight!, [w[0], Numel(w) / w[0]], 1) { Start = l.StartOf("weight") };
    }

    /// <summary>
    /// The slices with which a stream writer makes channel c: row c of every parameter (weight and
    /// bias of a Linear/Conv2d, γ_c and β_c of a norm), column c of a positional embedding's P.
    /// </summary>
    public static List<UnitSlice> Writing(LayerInfo l) => l.Operation.Writes == ChannelWrite.WeightColumns
        ? [Columns(l)]
        : Incoming(l, Rows);

    /// <summary>
    /// <paramref name="slice"/> with its units gathered into <paramref name="blocks"/> blocks of
    /// consecutive units (a GroupNorm's groups of channels): view [.., blocks, units/blocks, ..].
    /// </summary>
    public static UnitSlice Blocks(UnitSlice slice, long blocks) => slice with
    {
        View = [.. slice.View[..slice.UnitDim], blocks, slice.Units / blocks, .. slice.View[(slice.UnitDim + 1)..]],
    };

    private static long Numel(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Every parameter of the node, weight before bias, each sliced by <paramref name="slice"/>.</summary>
    public static List<UnitSlice> Incoming(LayerInfo l, Func<LayerInfo, string, UnitSlice> slice) =>
        l.Parameters.Keys.Order(StringComparer.Ordinal).Reverse().Select(n => slice(l, n)).ToList();
}
