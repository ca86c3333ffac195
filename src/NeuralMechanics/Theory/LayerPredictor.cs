using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>
/// Step-by-step predictions of the symmetry-protected quantity Q of every group of one kind in a
/// layer (Q = Σ_A θ, |θ_A|² or |θ_A1|² − |θ_A2|²): gradient flow (eq. 11–13), the paper's continuous
/// model (SGD: modified flow eq. 18–20; momentum: driven damped oscillator eq. 33–38) and the exact
/// discrete dynamics (SGD: eq. 39–41; momentum: the recurrence in DESIGN.md).
/// </summary>
/// <remarks>
/// Each prediction is a free part that depends on Q(0) and the step count only, evaluated in closed
/// form at every step (so 10⁶ steps lose nothing), plus a driven part accumulated by exact,
/// decaying recurrences in double precision. The continuous models take the measured forcing as
/// constant over each step [tₙ, tₙ₊₁) and integrate it exactly on that step.
/// <para>Momentum forcing: the paper drives eq. 35 with f = 2|dθ/dt|². In its time t = η(1−α)·n,
/// θₙ₊₁ − θₙ = −η vₙ₊₁, so dθ/dt ≈ −vₙ₊₁/(1−α) over step n and we use f = 2Kₙ₊₁/(1−α)².</para>
/// </remarks>
public sealed class LayerPredictor
{
    private const int StateHeader = 7;
    private const int ValuesPerGroup = 7;

    private readonly SymmetryKind _kind;
    private readonly SgdSettings _settings;
    private readonly bool _momentum;
    private readonly double _h;
    private readonly DampedOscillator? _oscillator;
    private readonly OscillatorStep? _oscillatorStep;
    private readonly double[] _q0;
    private readonly double[] _continuous;
    private readonly double[] _discrete;
    // Continuous driven part: SGD uses x only (∫e^{−2λ(t−τ)}F dτ); momentum uses (x, x') of the oscillator.
    // x and _discA change by little per step and are held as compensated sums (value + low part).
    private readonly double[] _drivenX;
    private readonly double[] _drivenXLow;
    private readonly double[] _drivenDx;
    // Discrete state: SGD scale/rescale keeps the driven sum in _discA; momentum keeps (Q, P), translation (s, u).
    private readonly double[] _discA;
    private readonly double[] _discALow;
    private readonly double[] _discB;
    private long _step;

    /// <summary>
    /// Starts the predictions at step 0. <paramref name="q0"/>[i] is Q of group i at initialisation.
    /// Throws <see cref="InvalidInputException"/> for settings the theory does not cover
    /// (Nesterov momentum, momentum with dampening 1) or invalid values.
    /// </summary>
    public LayerPredictor(SymmetryKind kind, SgdSettings settings, ReadOnlySpan<double> q0)
    {
        PredictableSettings.Check(settings, $"the {kind.Name()} prediction (continuous and discrete)");
        _kind = kind;
        _settings = settings;
        _momentum = settings.Momentum > 0;
        _h = settings.TimePerStep;
        if (_momentum)
        {
            _oscillator = DampedOscillator.ForMomentum(settings, kind);
            _oscillatorStep = new OscillatorStep(_oscillator, _h);
        }
        _q0 = q0.ToArray();
        _continuous = q0.ToArray();
        _discrete = q0.ToArray();
        _drivenX = new double[q0.Length];
        _drivenXLow = new double[q0.Length];
        _drivenDx = new double[q0.Length];
        _discA = _momentum ? q0.ToArray() : new double[q0.Length];
        _discALow = new double[q0.Length];
        _discB = new double[q0.Length];
    }

    /// <summary>
    /// The damped oscillator of the momentum model (γ, ω and which of the paper's three branches
    /// applies); null for SGD without momentum.
    /// </summary>
    public DampedOscillator? Oscillator => _oscillator;

    /// <summary>Number of groups.</summary>
    public int Count => _q0.Length;

    /// <summary>Number of <see cref="Advance"/> calls so far.</summary>
    public long Step => _step;

    /// <summary>Gradient flow (eq. 11–13): Q is conserved, Q(t) = Q(0).</summary>
    public ReadOnlySpan<double> GradientFlow => _q0;

    /// <summary>
    /// The paper's continuous model at the current step. SGD (t = η·n): translation e^{−λt}Q(0);
    /// scale/rescale e^{−2λt}Q(0) + η∫₀ᵗe^{−2λ(t−τ)}F dτ (eq. 18–20). Momentum (t = η(1−α)·n):
    /// the damped oscillator of eq. 33–38 with Q'(0) = 0, forced by 2K/(1−α)² for scale/rescale.
    /// </summary>
    public ReadOnlySpan<double> Continuous => _continuous;

    /// <summary>
    /// The exact discrete dynamics at the current step. SGD: eq. 39–41. Momentum (with dampening):
    /// P̃ = βP + cλQ, Q' = Q − 2ηP̃ + η²K, P' = P̃ − ηK with P = ⟨θ_A, v_A⟩ starting at 0; translation
    /// u' = βu + cλs, s' = s − ηu'. c = 1 on the first step (PyTorch sets v = d), 1 − α after.
    /// </summary>
    public ReadOnlySpan<double> Discrete => _discrete;

    /// <summary>
    /// Advances all predictions by one optimizer step. <paramref name="forcing"/>[i] is, for SGD,
    /// Fₙ = |g_A(θₙ)|² (rescale: |g_A1|² − |g_A2|²) of the loss gradient without weight decay,
    /// measured before update n; with momentum, Kₙ₊₁ = |v_A|² (rescale: |v_A1|² − |v_A2|²) of the
    /// buffer after update n. Translation groups ignore it (an empty span is accepted for them).
    /// </summary>
    public void Advance(ReadOnlySpan<double> forcing)
    {
        bool needsForcing = _kind != SymmetryKind.Translation;
        if (forcing.Length != Count && (needsForcing || forcing.Length != 0))
            throw new ArgumentException($"expected {Count} forcing values, got {forcing.Length}", nameof(forcing));
        if (_momentum) AdvanceMomentum(forcing);
        else if (needsForcing) AdvanceSgd(forcing);
        _step++;
        Recompute();
    }

    /// <summary>SGD scale/rescale: driven parts of eq. 19–20 (exact integral over the step) and eq. 40–41.</summary>
    private void AdvanceSgd(ReadOnlySpan<double> forcing)
    {
        double eta = _settings.LearningRate, lambda = _settings.WeightDecay;
        // I ← e^{−2λη}I + w·F with w = ∫₀^η e^{−2λ(η−τ)} dτ = η·(1 − e^{−2λη})/(2λη), exact for F
        // constant on the step; written as I ← I − m·I + w·F with m = 1 − e^{−2λη} taken without cancellation.
        double phi = AccurateArithmetic.Phi1(-2 * lambda * eta);
        double stepWeight = eta * phi;
        double continuousLoss = 2 * lambda * eta * phi;
        // D ← (1−ηλ)²D + η²F, with 1 − (1−ηλ)² = ηλ(2 − ηλ).
        double discreteLoss = eta * lambda * (2 - eta * lambda);
        for (int i = 0; i < Count; i++)
        {
            double f = forcing[i];
            AccurateArithmetic.AddTo(ref _drivenX[i], ref _drivenXLow[i], stepWeight * f - continuousLoss * (_drivenX[i] + _drivenXLow[i]));
            AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], eta * eta * f - discreteLoss * (_discA[i] + _discALow[i]));
        }
    }

    /// <summary>Momentum: oscillator driven part (scale/rescale) and the exact discrete recurrence.</summary>
    private void AdvanceMomentum(ReadOnlySpan<double> forcing)
    {
        double eta = _settings.LearningRate, lambda = _settings.WeightDecay, beta = _settings.Momentum;
        double c = _step == 0 ? 1 : 1 - _settings.Dampening;
        if (_kind == SymmetryKind.Translation)
        {
            for (int i = 0; i < Count; i++)
            {
                // (s, u) = (Σθ_A, Σv_A): u' = βu + cλs, s' = s − ηu'.
                double u = beta * _discB[i] + c * lambda * (_discA[i] + _discALow[i]);
                AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], -eta * u);
                _discB[i] = u;
            }
            return;
        }
        double oneMinusAlpha = 1 - _settings.Dampening;
        double forceScale = 2 / (oneMinusAlpha * oneMinusAlpha);
        for (int i = 0; i < Count; i++)
        {
            double k = forcing[i];
            _oscillatorStep!.Advance(ref _drivenX[i], ref _drivenXLow[i], ref _drivenDx[i], forceScale * k);
            // (Q, P) with P = ⟨θ_A, v_A⟩: P̃ = βP + cλQ, Q' = Q − 2ηP̃ + η²K, P' = P̃ − ηK.
            double pTilde = beta * _discB[i] + c * lambda * (_discA[i] + _discALow[i]);
            AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], -2 * eta * pTilde + eta * eta * k);
            _discB[i] = pTilde - eta * k;
        }
    }

    /// <summary>
    /// The full state for checkpoints: a header (kind, η, λ, β, α, count, step) and per group
    /// Q(0) and the driven/discrete state (with the low parts of its compensated sums). <see cref="LoadState"/> restores it exactly.
    /// </summary>
    public double[] SaveState()
    {
        var state = new double[StateHeader + ValuesPerGroup * Count];
        state[0] = (int)_kind;
        state[1] = _settings.LearningRate;
        state[2] = _settings.WeightDecay;
        state[3] = _settings.Momentum;
        state[4] = _settings.Dampening;
        state[5] = Count;
        state[6] = _step;
        var body = state.AsSpan(StateHeader);
        int k = 0;
        foreach (var array in StateArrays()) array.CopyTo(body.Slice(Count * k++, Count));
        return state;
    }

    /// <summary>
    /// Restores a state written by <see cref="SaveState"/> of a predictor with the same kind, settings
    /// and group count; throws <see cref="InvalidInputException"/> (field "predictor state") otherwise.
    /// </summary>
    public void LoadState(double[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int expected = StateHeader + ValuesPerGroup * Count;
        if (state.Length != expected)
            throw new InvalidInputException($"predictor state: expected {expected} values for {Count} {_kind.Name()} groups, found {state.Length}");
        if (state[0] != (int)_kind || state[1] != _settings.LearningRate || state[2] != _settings.WeightDecay
            || state[3] != _settings.Momentum || state[4] != _settings.Dampening || state[5] != Count)
            throw new InvalidInputException($"predictor state: saved for kind {state[0]}, lr {state[1]}, wd {state[2]}, momentum {state[3]}, dampening {state[4]}, {state[5]} groups; expected {(int)_kind}, {_settings.LearningRate}, {_settings.WeightDecay}, {_settings.Momentum}, {_settings.Dampening}, {Count}");
        if (!(state[6] >= 0) || state[6] != Math.Floor(state[6]))
            throw new InvalidInputException($"predictor state: step: expected a whole number ≥ 0, found {state[6]}");
        _step = (long)state[6];
        var body = state.AsSpan(StateHeader);
        int k = 0;
        foreach (var array in StateArrays()) body.Slice(Count * k++, Count).CopyTo(array);
        Recompute();
    }

    private double[][] StateArrays() => [_q0, _drivenX, _drivenXLow, _drivenDx, _discA, _discALow, _discB];

    /// <summary>
    /// Writes the predictions at the current step: free parts in closed form of the step count
    /// (e^{−λt}, (1−ηλ)ⁿ, the oscillator's free solution), plus the accumulated driven parts.
    /// </summary>
    private void Recompute()
    {
        double t = _step * _h;
        double eta = _settings.LearningRate, lambda = _settings.WeightDecay;
        if (_momentum)
        {
            double free = _oscillator!.Free(t);
            for (int i = 0; i < Count; i++)
            {
                _continuous[i] = _q0[i] * free + (_drivenX[i] + _drivenXLow[i]);
                _discrete[i] = _discA[i] + _discALow[i];
            }
            return;
        }
        bool translation = _kind == SymmetryKind.Translation;
        double continuousFree = Math.Exp(-(translation ? 1 : 2) * lambda * t);
        double discreteFree = AccurateArithmetic.PowOnePlus(-eta * lambda, translation ? _step : 2.0 * _step);
        for (int i = 0; i < Count; i++)
        {
            _continuous[i] = _q0[i] * continuousFree + eta * (_drivenX[i] + _drivenXLow[i]);
            _discrete[i] = _q0[i] * discreteFree + (_discA[i] + _discALow[i]);
        }
    }
}
