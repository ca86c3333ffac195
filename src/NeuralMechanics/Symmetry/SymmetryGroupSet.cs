using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// All groups of one kind that one layer carries, evaluated together. Group u consists of
/// unit u of every slice in <see cref="A"/> (and, for rescale, the outgoing set <see cref="B"/>).
/// Quantities (docs/design.md, "Counting convention"): translation Q = Σ_A θ with generator 1_A; scale Q = |θ_A|² with
/// generator θ_A; rescale Q = |θ_A1|² − |θ_A2|² with generator θ_A1 − θ_A2.
/// </summary>
/// <param name="Kind">Translation, scale or rescale.</param>
/// <param name="Layer">Key of the set, unique per kind: the layer (scale, rescale) or parameter (translation) it belongs to.</param>
/// <param name="Count">Number of groups.</param>
/// <param name="A">Slices of the set A (rescale: the incoming set A1).</param>
/// <param name="B">Rescale only: the outgoing set A2 (empty otherwise).</param>
/// <param name="Exact">False where the symmetry holds only approximately (BatchNorm's ε for scale).</param>
/// <param name="Origin">What creates the symmetry, for humans.</param>
public sealed record SymmetryGroupSet(
    SymmetryKind Kind,
    string Layer,
    long Count,
    IReadOnlyList<UnitSlice> A,
    IReadOnlyList<UnitSlice> B,
    bool Exact,
    string Origin)
{
    /// <summary>Every parameter the set touches.</summary>
    public IEnumerable<Parameter> Parameters => A.Concat(B).Select(s => s.Tensor).Distinct();

    /// <summary>Σ_slices Reduce(f(slice)) over the A slices minus the B slices (B only when <paramref name="subtractB"/>).</summary>
    public Tensor Combine(Func<UnitSlice, Tensor> perSlice, bool subtractB = true, bool addB = false)
    {
        Tensor? total = null;
        foreach (var s in A) total = total is null ? s.Reduce(perSlice(s)) : total + s.Reduce(perSlice(s));
        if (subtractB || addB)
            foreach (var s in B) total = addB ? total! + s.Reduce(perSlice(s)) : total! - s.Reduce(perSlice(s));
        return total!;
    }

    /// <summary>The conserved (or broken) quantity Q of every group: a [Count] tensor.</summary>
    public Tensor Quantity() => Kind == SymmetryKind.Translation ? Combine(s => s.Tensor) : Combine(s => s.Tensor.square());

    /// <summary>The size relative errors are measured against: Σ_A|θ|, |θ_A|², |θ_A1|² + |θ_A2|².</summary>
    public Tensor Terms() => Kind == SymmetryKind.Translation
        ? Combine(s => s.Tensor.abs())
        : Combine(s => s.Tensor.square(), subtractB: false, addB: true);

    /// <summary>⟨x, generator⟩ of every group for a field x given per parameter (e.g. the gradient).</summary>
    public Tensor GeneratorDot(Func<Parameter, Tensor> x) => Kind == SymmetryKind.Translation
        ? Combine(s => x(s.Tensor))
        : Combine(s => x(s.Tensor) * s.Tensor);

    /// <summary>
    /// |x_A|² of every group; for rescale |x_A1|² − |x_A2|² when <paramref name="signed"/> (the
    /// forcing when x is the gradient or the velocity), |x_A1|² + |x_A2|² otherwise.
    /// </summary>
    public Tensor NormSquared(Func<Parameter, Tensor> x, bool signed = true) =>
        Combine(s => x(s.Tensor).square(), subtractB: signed, addB: !signed);

    /// <summary>Norm of each group's generator: √|A| (translation), |θ_A| (scale), √(|θ_A1|² + |θ_A2|²) (rescale).</summary>
    public Tensor GeneratorNorm() => Kind == SymmetryKind.Translation
        ? Combine(s => ones_like(s.Tensor)).sqrt()
        : Combine(s => s.Tensor.square(), subtractB: false, addB: true).sqrt();

    /// <summary>Σ_u c_u · generator_u, as one tensor per parameter (for Hessian-vector products).</summary>
    public Dictionary<Parameter, Tensor> Generator(Tensor coefficients) => Kind == SymmetryKind.Translation
        ? Spread(coefficients, s => ones_like(s.Tensor))
        : Spread(coefficients, s => s.Tensor.detach());

    /// <summary>
    /// Σ_u c_u (field restricted to A1 of group u − field restricted to A2 of group u), as one
    /// tensor per parameter. With the gradient as field this is the g_A term of the Hessian identities.
    /// </summary>
    public Dictionary<Parameter, Tensor> Spread(Tensor coefficients, Func<UnitSlice, Tensor> field)
    {
        var result = new Dictionary<Parameter, Tensor>();
        void Add(UnitSlice s, bool negate)
        {
            // A row block's term is placed in a zero tensor of the whole parameter.
            var term = s.Place(s.Broadcast(coefficients) * s.Part(field(s)));
            if (negate) term = -term;
            result[s.Tensor] = result.TryGetValue(s.Tensor, out var t) ? t + term : term;
        }
        foreach (var s in A) Add(s, false);
        foreach (var s in B) Add(s, true);
        return result;
    }

    /// <summary>
    /// Applies the group action with one α per group, in place: translation θ_A += α;
    /// scale θ_A ·= α; rescale θ_A1 ·= α, θ_A2 /= α.
    /// </summary>
    public void Act(Tensor alpha)
    {
        using var noGrad = no_grad();
        foreach (var s in A)
        {
            // A row block acts on its rows only; units outside a partial slice are shifted by 0, multiplied by 1.
            if (Kind == SymmetryKind.Translation) s.Part(s.Tensor).add_(s.Broadcast(alpha));
            else s.Part(s.Tensor).mul_(s.Broadcast(alpha, outside: 1));
        }
        foreach (var s in B) s.Part(s.Tensor).div_(s.Broadcast(alpha, outside: 1));
    }
}
