using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A parameter tensor seen as a stack of per-unit slices: viewed with shape <see cref="View"/>,
/// index <see cref="UnitDim"/> picks the group. This is how every group of a layer is evaluated
/// at once: one reduction over the other dimensions gives one value per group. A slice may take
/// only a range of the units (<see cref="From"/>, <see cref="Take"/>): the columns of a reader
/// that read one part of a concatenation (docs/design.md, "Channel streams").
/// </summary>
/// <param name="Layer">Layer that owns the parameter.</param>
/// <param name="Name">Local parameter name (weight, bias).</param>
/// <param name="Tensor">The parameter.</param>
/// <param name="View">Shape the parameter is viewed with.</param>
/// <param name="UnitDim">Dimension of <see cref="View"/> that indexes the groups.</param>
/// <remarks>
/// A slice of a packed parameter (a node's row block, <see cref="Models.LayerInfo.Blocks"/>: W_K is rows
/// [d, 2d) of PyTorch's in_proj_weight) views only rows [<see cref="Start"/>, Start + <see cref="RowCount"/>)
/// of dimension 0; <see cref="Part"/> takes that block of a tensor shaped like the parameter.
/// </remarks>
public sealed record UnitSlice(string Layer, string Name, Parameter Tensor, long[] View, int UnitDim)
{
    /// <summary>First row (dimension 0) of the parameter the slice views; 0 for a slice of the whole parameter.</summary>
    public long Start { get; init; }

    /// <summary>Elements the slice views (the product of <see cref="View"/>).</summary>
    public long Elements => View.Aggregate(1L, (a, b) => a * b);

    /// <summary>Rows of dimension 0 the slice views.</summary>
    public long RowCount => Tensor.shape.Length == 0 ? 1 : Elements / (Tensor.numel() / Tensor.shape[0]);

    /// <summary>Whether the slice views the whole parameter (no row block).</summary>
    public bool IsWhole => Start == 0 && Elements == Tensor.numel();

    /// <summary>The rows of <paramref name="x"/> (shaped like the parameter) that the slice views: x itself, or a narrowed view of it.</summary>
    public Tensor Part(Tensor x) => IsWhole ? x : x.narrow(0, Start, RowCount);

    /// <summary>
    /// <paramref name="block"/> (shaped like <see cref="Part"/>) placed in a zero tensor shaped like the
    /// parameter (differentiable: a pad of dimension 0).
    /// </summary>
    public Tensor Place(Tensor block)
    {
        if (IsWhole) return block;
        var pad = new long[2 * block.dim()];
        pad[^2] = Start;
        pad[^1] = Tensor.shape[0] - Start - RowCount;
        return nn.functional.pad(block, pad);
    }

    /// <summary>The first unit of <see cref="View"/>'s unit dimension the slice takes (0: from the start).</summary>
    public long From { get; init; }

    /// <summary>How many units from <see cref="From"/> the slice takes; null: all of them.</summary>
    public long? Take { get; init; }

    /// <summary>Number of groups (units) the slice takes.</summary>
    public long Units => Take ?? View[UnitDim];

    /// <summary>Number of units <see cref="View"/> splits the viewed rows into (<see cref="Units"/> when the slice takes them all).</summary>
    public long AllUnits => View[UnitDim];

    /// <summary>Whether the slice takes only some of the units.</summary>
    public bool Partial => Units != AllUnits;

    /// <summary>Elements of the viewed rows in each unit.</summary>
    public long ElementsPerUnit => Elements / AllUnits;

    /// <summary>Full parameter name, e.g. conv3.weight.</summary>
    public string FullName => $"{Layer}.{Name}";

    /// <summary>The dimensions of <see cref="View"/> other than <see cref="UnitDim"/> (summed over per unit).</summary>
    internal long[] OtherDims => Enumerable.Range(0, View.Length).Where(d => d != UnitDim).Select(d => (long)d).ToArray();

    /// <summary>
    /// Σ over each unit's slice of <paramref name="x"/> (shaped like the parameter): a [Units]
    /// float64 tensor. Sums accumulate in double, whatever the parameter's dtype.
    /// </summary>
    public Tensor Reduce(Tensor x)
    {
        var v = Part(x).view(View);
        var others = OtherDims;
        var all = others.Length == 0 ? v.to(ScalarType.Float64) : v.sum(others, type: ScalarType.Float64);
        return Partial ? all.narrow(0, From, Units) : all;
    }

    /// <summary>
    /// Spreads per-unit values ([Units]) over the parameter's shape; the units the slice does not
    /// take get <paramref name="outside"/> (0 for a sum, 1 for a factor).
    /// </summary>
    public Tensor Broadcast(Tensor perUnit, double outside = 0)
    {
        var shape = Enumerable.Repeat(1L, View.Length).ToArray();
        shape[UnitDim] = AllUnits;
        var values = perUnit;
        if (Partial)
        {
            using Scalar fill = outside;
            values = full([AllUnits], fill, perUnit.dtype, perUnit.device);
            values.narrow(0, From, Units).copy_(perUnit);
        }
        return values.view(shape).expand(View).reshape(IsWhole ? Tensor.shape : [RowCount, .. Tensor.shape[1..]]);
    }
}
