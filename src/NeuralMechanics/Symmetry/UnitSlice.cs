using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A parameter tensor seen as a stack of per-unit slices: viewed with shape <see cref="View"/>,
/// index <see cref="UnitDim"/> picks the group. This is how every group of a layer is evaluated
/// at once: one reduction over the other dimensions gives one value per group.
/// </summary>
/// <param name="Layer">Layer that owns the parameter.</param>
/// <param name="Name">Local parameter name (weight, bias).</param>
/// <param name="Tensor">The parameter.</param>
/// <param name="View">Shape the parameter is viewed with.</param>
/// <param name="UnitDim">Dimension of <see cref="View"/> that indexes the groups.</param>
public sealed record UnitSlice(string Layer, string Name, Parameter Tensor, long[] View, int UnitDim)
{
    /// <summary>Number of groups (units) the slice splits the parameter into.</summary>
    public long Units => View[UnitDim];

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
        var v = x.view(View);
        var others = OtherDims;
        return others.Length == 0 ? v.to(ScalarType.Float64) : v.sum(others, type: ScalarType.Float64);
    }

    /// <summary>Spreads per-unit values ([Units]) over the parameter's shape.</summary>
    public Tensor Broadcast(Tensor perUnit)
    {
        var shape = Enumerable.Repeat(1L, View.Length).ToArray();
        shape[UnitDim] = Units;
        return perUnit.view(shape).expand(View).reshape(Tensor.shape);
    }
}
