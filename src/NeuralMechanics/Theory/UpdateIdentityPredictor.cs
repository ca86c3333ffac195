using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Theory;

/// <summary>
/// The exact discrete law of any optimizer (Adam, AdamW, ...): with Δθ = θₙ₊₁ − θₙ the update
/// actually applied, Qₙ₊₁ = Qₙ + 2⟨θ_A, Δθ_A⟩ + |Δθ_A|² for scale (rescale: the A1 terms minus
/// the A2 terms) and Qₙ₊₁ = Qₙ + Σ_A Δθ for translation. It holds for every update rule, so it
/// says nothing about conservation; what it shows is how far Q moves from gradient flow's Q(0):
/// with a preconditioner that is not a multiple of the identity, ⟨θ_A, Δθ_A⟩ ≠ −λ-terms even at λ = 0,
/// and the conservation laws are broken by the optimizer itself.
/// </summary>
public sealed class UpdateIdentityPredictor
{
    private const int StateHeader = 3;
    private readonly SymmetryKind _kind;
    private readonly double[] _q0, _q, _qLow, _discrete;
    private long _step;

    /// <summary>Starts at Q(0) = <paramref name="q0"/> (one value per group).</summary>
    public UpdateIdentityPredictor(SymmetryKind kind, ReadOnlySpan<double> q0)
    {
        _kind = kind;
        _q0 = q0.ToArray();
        _q = q0.ToArray();
        _qLow = new double[q0.Length];
        _discrete = q0.ToArray();
    }

    /// <summary>Number of groups.</summary>
    public int Count => _q0.Length;

    /// <summary>Number of <see cref="Advance"/> calls so far.</summary>
    public long Step => _step;

    /// <summary>Gradient flow: Q(0).</summary>
    public ReadOnlySpan<double> GradientFlow => _q0;

    /// <summary>Q advanced by the identity with the measured updates.</summary>
    public ReadOnlySpan<double> Discrete => _discrete;

    /// <summary>
    /// One update: for scale/rescale <paramref name="thetaDotUpdate"/>[i] = ⟨θₙ, Δθ⟩ and
    /// <paramref name="updateSquared"/>[i] = |Δθ|² of group i (rescale: A1 minus A2); for translation
    /// <paramref name="thetaDotUpdate"/>[i] = Σ_A Δθ and <paramref name="updateSquared"/> is ignored.
    /// </summary>
    public void Advance(ReadOnlySpan<double> thetaDotUpdate, ReadOnlySpan<double> updateSquared)
    {
        bool translation = _kind == SymmetryKind.Translation;
        if (thetaDotUpdate.Length != Count || (!translation && updateSquared.Length != Count))
            throw new ArgumentException($"expected {Count} values per measured term");
        for (int i = 0; i < Count; i++)
        {
            double delta = translation ? thetaDotUpdate[i] : 2 * thetaDotUpdate[i] + updateSquared[i];
            AccurateArithmetic.AddTo(ref _q[i], ref _qLow[i], delta);
            _discrete[i] = _q[i] + _qLow[i];
        }
        _step++;
    }

    /// <summary>State for checkpoints (kind, count, step, Q(0), Q and its low part).</summary>
    public double[] SaveState() => [(int)_kind, Count, _step, .. _q0, .. _q, .. _qLow];

    /// <summary>Restores <see cref="SaveState"/>'s output; throws <see cref="InvalidInputException"/> (field "predictor state") for another setup.</summary>
    public void LoadState(double[] state)
    {
        if (state.Length != StateHeader + 3 * Count || state[0] != (int)_kind || state[1] != Count || !(state[2] >= 0))
            throw new InvalidInputException($"predictor state: expected the update identity of {Count} {_kind.Name()} groups ({StateHeader + 3 * Count} values), found {state.Length} values");
        _step = (long)state[2];
        state.AsSpan(StateHeader, Count).CopyTo(_q0);
        state.AsSpan(StateHeader + Count, Count).CopyTo(_q);
        state.AsSpan(StateHeader + 2 * Count, Count).CopyTo(_qLow);
        for (int i = 0; i < Count; i++) _discrete[i] = _q[i] + _qLow[i];
    }
}
