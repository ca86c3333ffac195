using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>
/// Step-by-step predictions of the symmetry-protected quantity Q of every group of one kind in a
/// layer (Q = Σ_A θ, |θ_A|² or |θ_A1|² − |θ_A2|²): gradient flow (eq. 11–13), the paper's continuous
/// model (SGD: modified flow eq. 18–20; momentum: driven damped oscillator eq. 33–38) and the exact
/// discrete dynamics (SGD: eq. 39–41; momentum and Nesterov: the recurrences in docs/design.md), each
/// advanced with the learning rate ηₙ of its step, so that schedules are predicted exactly.
/// </summary>
/// <remarks>
/// While every step has the base rate η, each prediction is a free part evaluated in closed form
/// of the step count (so 10⁶ steps lose nothing) plus a driven part accumulated by exact, decaying
/// recurrences in double precision. Once a step has another rate, the free parts are accumulated
/// instead: continuous time tₙ = Σ hₖ (hₖ = ηₖ, × (1−α) with momentum), the discrete free factor
/// Π(1−ηₖλ) through Σ ln(1−ηₖλ), and the oscillator's free solution propagated with each step's
/// coefficients γₙ, ωₙ (both depend on ηₙ), every sum compensated. The continuous models take the
/// measured forcing as constant over each step and integrate it exactly on that step.
/// <para>Momentum forcing: the paper drives eq. 35 with f = 2|dθ/dt|². In its time t = η(1−α)·n,
/// θₙ₊₁ − θₙ = −η vₙ₊₁, so dθ/dt ≈ −vₙ₊₁/(1−α) over step n and we use f = 2Kₙ₊₁/(1−α)².</para>
/// <para>Nesterov (θ ← θ − η(d + βv'), v' = βv + d): the continuous model is the paper's for heavy-ball
/// momentum only and is NaN; the exact discrete recurrence is P̃ = βP + cλQ,
/// Q' = Q − 2η(λQ + βP̃) + η²U, P' = P̃ − ηW with U = |u|², W = ⟨u, v'⟩, u = d + βv' (translation:
/// w' = βw + cλs, s' = s − η(λs + βw')). It follows from ⟨θ_A, g_A⟩ = 0: ⟨θ, u⟩ = λQ + β⟨θ, v'⟩.</para>
/// </remarks>
public sealed class LayerPredictor
{
    private const int StateHeader = 16;
    private const int ValuesPerGroup = 7;

    private readonly SymmetryKind _kind;
    private readonly SgdSettings _settings;
    private readonly bool _momentum;
    private readonly bool _nesterov;
    private readonly double _h;
    private readonly DampedOscillator? _oscillator;
    private readonly OscillatorStep? _oscillatorStep;
    private OscillatorStep? _scheduledStep;
    private double _scheduledEta = double.NaN;
    private readonly double[] _q0;
    private readonly double[] _continuous;
    private readonly double[] _discrete;
    // Continuous driven part: SGD uses x only (∫η e^{−2λ(t−τ)}F dτ); momentum uses (x, x') of the oscillator.
    // x and _discA change by little per step and are held as compensated sums (value + low part).
    private readonly double[] _drivenX;
    private readonly double[] _drivenXLow;
    private readonly double[] _drivenDx;
    // Discrete state: SGD scale/rescale keeps the driven sum in _discA; momentum keeps (Q, P), translation (s, u).
    private readonly double[] _discA;
    private readonly double[] _discALow;
    private readonly double[] _discB;
    private long _step;
    // Free parts under a changing η: whether a step had another rate, Σh, Σ ln(1 − ηλ), the oscillator's free (x, x').
    private bool _varying;
    private double _time, _timeLow, _logFree, _logFreeLow, _freeX = 1, _freeXLow, _freeDx;

    /// <summary>
    /// Starts the predictions at step 0. <paramref name="q0"/>[i] is Q of group i at initialisation.
    /// Throws <see cref="InvalidInputException"/> for settings the theory does not cover
    /// (momentum with dampening 1, Nesterov with dampening) or invalid values.
    /// </summary>
    public LayerPredictor(SymmetryKind kind, SgdSettings settings, ReadOnlySpan<double> q0)
    {
        PredictableSettings.Check(settings, $"the {kind.Name()} prediction (continuous and discrete)");
        _kind = kind;
        _settings = settings;
        _momentum = settings.Momentum > 0;
        _nesterov = settings.Nesterov;
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
        if (_nesterov) Array.Fill(_continuous, double.NaN);
    }

    /// <summary>
    /// The damped oscillator of the momentum model at the base rate (γ, ω and which of the paper's
    /// three branches applies); null for SGD without momentum.
    /// </summary>
    public DampedOscillator? Oscillator => _oscillator;

    /// <summary>Number of groups.</summary>
    public int Count => _q0.Length;

    /// <summary>Number of <see cref="Advance(ReadOnlySpan{double})"/> calls so far.</summary>
    public long Step => _step;

    /// <summary>Continuous time of the current step: Σ hₖ over the steps so far.</summary>
    public double Time => _varying ? _time + _timeLow : _step * _h;

    /// <summary>Gradient flow (eq. 11–13): Q is conserved, Q(t) = Q(0).</summary>
    public ReadOnlySpan<double> GradientFlow => _q0;

    /// <summary>
    /// The paper's continuous model at the current step. SGD (t = Σηₖ): translation e^{−λt}Q(0);
    /// scale/rescale e^{−2λt}Q(0) + ∫₀ᵗ η e^{−2λ(t−τ)}F dτ (eq. 18–20). Momentum (t = Σηₖ(1−α)):
    /// the damped oscillator of eq. 33–38 with Q'(0) = 0, forced by 2K/(1−α)² for scale/rescale.
    /// NaN with Nesterov momentum.
    /// </summary>
    public ReadOnlySpan<double> Continuous => _continuous;

    /// <summary>
    /// The exact discrete dynamics at the current step. SGD: Qₙ₊₁ = (1−ηₙλ)²Qₙ + ηₙ²Fₙ (translation
    /// (1−ηₙλ)Qₙ; eq. 39–41). Momentum (with dampening): P̃ = βP + cλQ, Q' = Q − 2ηP̃ + η²K,
    /// P' = P̃ − ηK with P = ⟨θ_A, v_A⟩ starting at 0; translation u' = βu + cλs, s' = s − ηu'.
    /// c = 1 on the first step (PyTorch sets v = d), 1 − α after. Nesterov: see the remarks.
    /// </summary>
    public ReadOnlySpan<double> Discrete => _discrete;

    /// <summary>Advances all predictions by one step at the base rate η (see <see cref="Advance(ReadOnlySpan{double}, double, ReadOnlySpan{double})"/>).</summary>
    public void Advance(ReadOnlySpan<double> forcing) => Advance(forcing, _settings.LearningRate, default);

    /// <summary>
    /// Advances all predictions by one optimizer step made with learning rate <paramref name="eta"/>.
    /// <paramref name="forcing"/>[i] is, for SGD, Fₙ = |g_A(θₙ)|² (rescale: |g_A1|² − |g_A2|²) of the
    /// loss gradient without weight decay, measured before update n; with momentum, Kₙ₊₁ = |v_A|²
    /// (rescale: |v_A1|² − |v_A2|²) of the buffer after update n; with Nesterov, U = |u_A|² of the
    /// update direction u = d + βv' (rescale: the difference), and <paramref name="cross"/>[i] is
    /// W = ⟨u_A, v'_A⟩ (rescale: the difference). Translation groups ignore both (empty spans are accepted).
    /// </summary>
    public void Advance(ReadOnlySpan<double> forcing, double eta, ReadOnlySpan<double> cross)
    {
        if (!(eta >= 0) || double.IsInfinity(eta)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "expected a finite learning rate ≥ 0");
        bool needsForcing = _kind != SymmetryKind.Translation;
        if (forcing.Length != Count && (needsForcing || forcing.Length != 0))
            throw new ArgumentException($"expected {Count} forcing values, got {forcing.Length}", nameof(forcing));
        if (_nesterov && needsForcing && cross.Length != Count)
            throw new ArgumentException($"expected {Count} values of ⟨u, v'⟩ for Nesterov, got {cross.Length}", nameof(cross));
        if (eta != _settings.LearningRate) _varying = true;
        double h = _momentum ? eta * (1 - _settings.Dampening) : eta;
        AccurateArithmetic.AddTo(ref _time, ref _timeLow, h);
        if (_nesterov) AdvanceNesterov(forcing, cross, eta);
        else if (_momentum) AdvanceMomentum(forcing, eta);
        else
        {
            // Σ ln(1 − ηλ): the discrete free factor of a changing rate.
            AccurateArithmetic.AddTo(ref _logFree, ref _logFreeLow, AccurateArithmetic.Log1P(-eta * _settings.WeightDecay));
            if (needsForcing) AdvanceSgd(forcing, eta);
        }
        _step++;
        Recompute();
    }

    /// <summary>SGD scale/rescale: driven parts of eq. 19–20 (exact integral over the step) and eq. 40–41.</summary>
    private void AdvanceSgd(ReadOnlySpan<double> forcing, double eta)
    {
        double lambda = _settings.WeightDecay;
        // I ← e^{−2λη}I + η·w·F with w = ∫₀^η e^{−2λ(η−τ)} dτ = η·(1 − e^{−2λη})/(2λη), exact for F
        // constant on the step; written as I ← I − m·I + ηwF with m = 1 − e^{−2λη} taken without cancellation.
        double phi = AccurateArithmetic.Phi1(-2 * lambda * eta);
        double stepWeight = eta * eta * phi;
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
    private void AdvanceMomentum(ReadOnlySpan<double> forcing, double eta)
    {
        double lambda = _settings.WeightDecay, beta = _settings.Momentum;
        double c = _step == 0 ? 1 : 1 - _settings.Dampening;
        var propagator = Propagator(eta);
        // The free solution (x(0) = 1, x'(0) = 0), needed in closed form no more once η changes.
        double freeDx = _freeDx;
        propagator.Advance(ref _freeX, ref _freeXLow, ref freeDx, 0);
        _freeDx = freeDx;
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
            propagator.Advance(ref _drivenX[i], ref _drivenXLow[i], ref _drivenDx[i], forceScale * k);
            // (Q, P) with P = ⟨θ_A, v_A⟩: P̃ = βP + cλQ, Q' = Q − 2ηP̃ + η²K, P' = P̃ − ηK.
            double pTilde = beta * _discB[i] + c * lambda * (_discA[i] + _discALow[i]);
            AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], -2 * eta * pTilde + eta * eta * k);
            _discB[i] = pTilde - eta * k;
        }
    }

    /// <summary>Nesterov: the exact discrete recurrence of the remarks (no continuous model).</summary>
    private void AdvanceNesterov(ReadOnlySpan<double> forcing, ReadOnlySpan<double> cross, double eta)
    {
        double lambda = _settings.WeightDecay, beta = _settings.Momentum;
        double c = _step == 0 ? 1 : 1 - _settings.Dampening;
        for (int i = 0; i < Count; i++)
        {
            double q = _discA[i] + _discALow[i];
            if (_kind == SymmetryKind.Translation)
            {
                // (s, w) = (Σθ_A, Σv_A), Σd_A = λs: w' = βw + cλs, s' = s − η(λs + βw').
                double w = beta * _discB[i] + c * lambda * q;
                AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], -eta * (lambda * q + beta * w));
                _discB[i] = w;
                continue;
            }
            double pTilde = beta * _discB[i] + c * lambda * q;
            AccurateArithmetic.AddTo(ref _discA[i], ref _discALow[i], -2 * eta * (lambda * q + beta * pTilde) + eta * eta * forcing[i]);
            _discB[i] = pTilde - eta * cross[i];
        }
    }

    /// <summary>The oscillator's one-step propagator for rate η: the base one, or the last other one (a drop keeps η for many steps).</summary>
    private OscillatorStep Propagator(double eta)
    {
        if (eta == _settings.LearningRate) return _oscillatorStep!;
        if (eta != _scheduledEta)
        {
            var s = _settings with { LearningRate = eta };
            // η = 0 makes no move and has no oscillator (γ, ω ∝ 1/η): the identity over a zero step.
            _scheduledStep = eta == 0 ? new OscillatorStep(new DampedOscillator(0, 0), 0) : new OscillatorStep(DampedOscillator.ForMomentum(s, _kind), s.TimePerStep);
            _scheduledEta = eta;
        }
        return _scheduledStep!;
    }

    /// <summary>
    /// The full state for checkpoints: a header (kind, η, λ, β, α, count, step, Nesterov, the free
    /// parts of a changing rate) and per group Q(0) and the driven/discrete state (with the low parts
    /// of its compensated sums). <see cref="LoadState"/> restores it exactly.
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
        state[7] = _nesterov ? 1 : 0;
        state[8] = _varying ? 1 : 0;
        (state[9], state[10], state[11], state[12]) = (_time, _timeLow, _logFree, _logFreeLow);
        (state[13], state[14], state[15]) = (_freeX, _freeXLow, _freeDx);
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
            || state[3] != _settings.Momentum || state[4] != _settings.Dampening || state[5] != Count || state[7] != (_nesterov ? 1 : 0))
            throw new InvalidInputException($"predictor state: saved for kind {state[0]}, lr {state[1]}, wd {state[2]}, momentum {state[3]}, dampening {state[4]}, {state[5]} groups, nesterov {state[7]}; expected {(int)_kind}, {_settings.LearningRate}, {_settings.WeightDecay}, {_settings.Momentum}, {_settings.Dampening}, {Count}, {(_nesterov ? 1 : 0)}");
        if (!(state[6] >= 0) || state[6] != Math.Floor(state[6]))
            throw new InvalidInputException($"predictor state: step: expected a whole number ≥ 0, found {state[6]}");
        _step = (long)state[6];
        _varying = state[8] != 0;
        (_time, _timeLow, _logFree, _logFreeLow) = (state[9], state[10], state[11], state[12]);
        (_freeX, _freeXLow, _freeDx) = (state[13], state[14], state[15]);
        var body = state.AsSpan(StateHeader);
        int k = 0;
        foreach (var array in StateArrays()) body.Slice(Count * k++, Count).CopyTo(array);
        Recompute();
    }

    private double[][] StateArrays() => [_q0, _drivenX, _drivenXLow, _drivenDx, _discA, _discALow, _discB];

    /// <summary>
    /// Writes the predictions at the current step: free parts in closed form of the step count
    /// (e^{−λt}, (1−ηλ)ⁿ, the oscillator's free solution) or, once η has changed, accumulated;
    /// plus the accumulated driven parts.
    /// </summary>
    private void Recompute()
    {
        double t = Time;
        double lambda = _settings.WeightDecay;
        if (_momentum)
        {
            double free = _varying ? _freeX + _freeXLow : _oscillator!.Free(t);
            for (int i = 0; i < Count; i++)
            {
                _continuous[i] = _nesterov ? double.NaN : _q0[i] * free + (_drivenX[i] + _drivenXLow[i]);
                _discrete[i] = _discA[i] + _discALow[i];
            }
            return;
        }
        bool translation = _kind == SymmetryKind.Translation;
        double power = translation ? 1 : 2;
        double continuousFree = Math.Exp(-power * lambda * t);
        double discreteFree = _varying
            ? Math.Exp(power * (_logFree + _logFreeLow))
            : AccurateArithmetic.PowOnePlus(-_settings.LearningRate * lambda, power * _step);
        for (int i = 0; i < Count; i++)
        {
            _continuous[i] = _q0[i] * continuousFree + (_drivenX[i] + _drivenXLow[i]);
            _discrete[i] = _q0[i] * discreteFree + (_discA[i] + _discALow[i]);
        }
    }
}
