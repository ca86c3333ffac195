using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>
/// The exact discrete law of scale and rescale groups whose parts carry different weight decay
/// (no decay on biases or norms), for SGD and heavy-ball momentum: each class c of parts with one
/// λ_c is advanced separately and Q = Σ_c Q_c.
/// </summary>
/// <remarks>
/// With Q_c = Σ_{p∈c} s_p|θ_p|² (s_p = +1, or −1 for the A2 parts of a rescale group),
/// G_c = Σ s_p⟨θ_p, g_p⟩ and F_c = Σ s_p|g_p|², one SGD step θ_p ← (1−ηλ_c)θ_p − ηg_p gives exactly
/// Q_c' = (1−ηλ_c)²Q_c − 2η(1−ηλ_c)G_c + η²F_c. The symmetry gives Σ_c G_c = 0 and nothing more:
/// with one λ the G terms cancel (eq. 40–41), with several they leave Σ_c 2η²λ_c G_c, so the
/// cross terms G_c must be measured. Momentum (v_p ← βv_p + c(g_p + λ_cθ_p), θ_p ← θ_p − ηv_p) with
/// P_c = Σ s_p⟨θ_p, v_p⟩: P̃_c = βP_c + c(G_c + λ_cQ_c), Q_c' = Q_c − 2ηP̃_c + η²K_c, P_c' = P̃_c − ηK_c,
/// K_c = Σ s_p|v_p'|² after the update. Nesterov and the continuous models are not covered.
/// </remarks>
public sealed class MixedDecayPredictor
{
    private readonly SgdSettings _settings;
    private readonly double[] _lambdas;
    private readonly double[] _q0;
    private readonly double[][] _q, _qLow, _p;
    private readonly double[] _discrete;
    private long _step;

    /// <summary>Starts at step 0 with Q_c(0) = <paramref name="q0"/>[c][i] for class c (λ = <paramref name="lambdas"/>[c]) and group i.</summary>
    /// <exception cref="InvalidInputException">Translation, Nesterov, or settings the theory does not cover.</exception>
    public MixedDecayPredictor(SymmetryKind kind, SgdSettings settings, IReadOnlyList<double> lambdas, double[][] q0)
    {
        PredictableSettings.Check(settings, "the mixed-decay prediction");
        if (kind == SymmetryKind.Translation)
            throw new InvalidInputException("wd: a translation group with mixed weight decay is not predicted (each translation group of the zoo lies in one parameter)");
        if (settings.Nesterov)
            throw new InvalidInputException("nesterov: the mixed-decay prediction is derived for SGD and heavy-ball momentum");
        if (lambdas.Count != q0.Length || q0.Length == 0 || q0.Any(c => c.Length != q0[0].Length))
            throw new ArgumentException("expected one Q(0) vector of the same length per λ class", nameof(q0));
        _settings = settings;
        _lambdas = lambdas.ToArray();
        int n = q0[0].Length;
        _q = q0.Select(c => c.ToArray()).ToArray();
        _qLow = q0.Select(_ => new double[n]).ToArray();
        _p = q0.Select(_ => new double[n]).ToArray();
        _q0 = new double[n];
        for (int i = 0; i < n; i++) _q0[i] = q0.Sum(c => c[i]);
        _discrete = _q0.ToArray();
    }

    /// <summary>Number of groups.</summary>
    public int Count => _q0.Length;

    /// <summary>Number of λ classes.</summary>
    public int Classes => _lambdas.Length;

    /// <summary>Gradient flow: Q(0).</summary>
    public ReadOnlySpan<double> GradientFlow => _q0;

    /// <summary>Σ_c Q_c at the current step.</summary>
    public ReadOnlySpan<double> Discrete => _discrete;

    /// <summary>
    /// One step at rate <paramref name="eta"/>: <paramref name="gradTheta"/>[c][i] = G_c before the
    /// update; <paramref name="forcing"/>[c][i] = F_c = Σ s|g|² before the update (SGD) or K_c = Σ s|v'|²
    /// after it (momentum).
    /// </summary>
    public void Advance(double eta, double[][] gradTheta, double[][] forcing)
    {
        if (gradTheta.Length != Classes || forcing.Length != Classes || gradTheta.Any(g => g.Length != Count) || forcing.Any(f => f.Length != Count))
            throw new ArgumentException($"expected {Classes} classes of {Count} values");
        double beta = _settings.Momentum;
        double c = _step == 0 ? 1 : 1 - _settings.Dampening;
        for (int k = 0; k < Classes; k++)
        {
            double lambda = _lambdas[k], keep = 1 - eta * lambda;
            for (int i = 0; i < Count; i++)
            {
                double q = _q[k][i] + _qLow[k][i], g = gradTheta[k][i], f = forcing[k][i];
                if (beta == 0)
                {
                    // (1−ηλ)²Q − Q = −ηλ(2 − ηλ)Q, without the cancellation of forming (1−ηλ)².
                    AccurateArithmetic.AddTo(ref _q[k][i], ref _qLow[k][i], -eta * lambda * (2 - eta * lambda) * q - 2 * eta * keep * g + eta * eta * f);
                    continue;
                }
                double pTilde = beta * _p[k][i] + c * (g + lambda * q);
                AccurateArithmetic.AddTo(ref _q[k][i], ref _qLow[k][i], -2 * eta * pTilde + eta * eta * f);
                _p[k][i] = pTilde - eta * f;
            }
        }
        for (int i = 0; i < Count; i++)
        {
            double sum = 0;
            for (int k = 0; k < Classes; k++) sum += _q[k][i] + _qLow[k][i];
            _discrete[i] = sum;
        }
        _step++;
    }

    /// <summary>State for checkpoints: classes, count, step, Q(0), then per class Q, its low part and P.</summary>
    public double[] SaveState() => [Classes, Count, _step, .. _q0, .. _q.Zip(_qLow, _p).SelectMany(t => t.First.Concat(t.Second).Concat(t.Third))];

    /// <summary>Restores <see cref="SaveState"/>'s output; throws <see cref="InvalidInputException"/> (field "predictor state") for another setup.</summary>
    public void LoadState(double[] state)
    {
        int expected = 3 + Count + 3 * Classes * Count;
        if (state.Length != expected || state[0] != Classes || state[1] != Count || !(state[2] >= 0))
            throw new InvalidInputException($"predictor state: expected the mixed-decay state of {Classes} classes and {Count} groups ({expected} values), found {state.Length} values");
        _step = (long)state[2];
        state.AsSpan(3, Count).CopyTo(_q0);
        int at = 3 + Count;
        for (int k = 0; k < Classes; k++)
        {
            state.AsSpan(at, Count).CopyTo(_q[k]); at += Count;
            state.AsSpan(at, Count).CopyTo(_qLow[k]); at += Count;
            state.AsSpan(at, Count).CopyTo(_p[k]); at += Count;
        }
        for (int i = 0; i < Count; i++)
        {
            double sum = 0;
            for (int k = 0; k < Classes; k++) sum += _q[k][i] + _qLow[k][i];
            _discrete[i] = sum;
        }
    }
}
