using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>
/// The damped harmonic oscillator x'' + 2γx' + ω²x = f(t) of Appendix H.2–H.3, with closed forms
/// for its free solution and Green's function. The three branches of the paper (over-, critically
/// and under-damped) are evaluated through one formula, e^{−γt}·(cosh(μt), sinh(μt)/μ) with
/// μ² = γ² − ω² of either sign, so values are continuous across γ = ω and never overflow:
/// near the boundary a power series in μ²t² is used, far from it decaying exponentials e^{(−γ±μ)t}.
/// </summary>
public sealed class DampedOscillator
{
    /// <summary>Creates the oscillator with damping γ ≥ 0 and natural frequency ω ≥ 0.</summary>
    public DampedOscillator(double gamma, double omega)
    {
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "expected a finite γ ≥ 0");
        if (!(omega >= 0) || double.IsInfinity(omega)) throw new ArgumentOutOfRangeException(nameof(omega), omega, "expected a finite ω ≥ 0");
        Gamma = gamma;
        Omega = omega;
    }

    /// <summary>
    /// The oscillator that the paper's momentum model (eq. 33, 35, 38) gives for a symmetry kind:
    /// γ = (1−β)/(η(1−α)(1+β)); ω = √(2λ/(η(1−α)(1+β))) for translation, √(4λ/(η(1−α)(1+β))) for
    /// scale and rescale. Time is the paper's t = η(1−α)·step.
    /// </summary>
    public static DampedOscillator ForMomentum(SgdSettings settings, SymmetryKind kind)
    {
        double mass = settings.LearningRate * (1 - settings.Dampening) * (1 + settings.Momentum);
        double spring = kind == SymmetryKind.Translation ? 2 * settings.WeightDecay : 4 * settings.WeightDecay;
        return new DampedOscillator((1 - settings.Momentum) / mass, Math.Sqrt(spring / mass));
    }

    /// <summary>Damping rate γ.</summary>
    public double Gamma { get; }

    /// <summary>Natural angular frequency ω.</summary>
    public double Omega { get; }

    /// <summary>Which of the paper's three branches applies (exact comparison of γ and ω).</summary>
    public DampingRegime Regime => Gamma > Omega ? DampingRegime.Overdamped
        : Gamma == Omega ? DampingRegime.Critical : DampingRegime.Underdamped;

    /// <summary>The free solution with x(0) = 1, x'(0) = 0 (eq. 34 and 37 divided by Q(0)).</summary>
    public double Free(double t)
    {
        var (c, s) = CoshSinh(t);
        return c + Gamma * s;
    }

    /// <summary>Green's function G(t) = e^{−γt} sinh(μt)/μ (Appendix H.3), the response to a unit impulse.</summary>
    public double Green(double t) => CoshSinh(t).SinhOverMu;

    /// <summary>Derivative of <see cref="Free"/>: −ω²G(t).</summary>
    public double FreeDerivative(double t) => -Omega * Omega * Green(t);

    /// <summary>Derivative of <see cref="Green"/>: e^{−γt}(cosh(μt) − γ sinh(μt)/μ).</summary>
    public double GreenDerivative(double t)
    {
        var (c, s) = CoshSinh(t);
        return c - Gamma * s;
    }

    /// <summary>e^{−γt}cosh(μt) and e^{−γt}sinh(μt)/μ for μ² = γ² − ω² (imaginary μ gives cos and sin/|μ|).</summary>
    private (double Cosh, double SinhOverMu) CoshSinh(double t)
    {
        double d = Gamma * Gamma - Omega * Omega;
        double z = d * t * t;
        if (Math.Abs(z) < 0.25)
        {
            // cosh(√z) = Σ z^k/(2k)!, sinh(√z)/√z = Σ z^k/(2k+1)!; 12 terms reach 1e-30 for |z| < 1/4.
            double decay = Math.Exp(-Gamma * t);
            double cSum = 1, sSum = 1, cTerm = 1, sTerm = 1;
            for (int k = 1; k <= 12; k++)
            {
                cTerm *= z / ((2 * k - 1) * (2.0 * k));
                sTerm *= z / ((2 * k) * (2.0 * k + 1));
                cSum += cTerm;
                sSum += sTerm;
            }
            return (decay * cSum, decay * t * sSum);
        }
        if (d > 0)
        {
            double mu = Math.Sqrt(d);
            double slow = Math.Exp(-Omega * Omega / (Gamma + mu) * t); // e^{(−γ+μ)t} without cancellation
            double fast = Math.Exp(-(Gamma + mu) * t);
            return ((slow + fast) / 2, (slow - fast) / (2 * mu));
        }
        double nu = Math.Sqrt(-d);
        double e = Math.Exp(-Gamma * t);
        return (e * Math.Cos(nu * t), e * Math.Sin(nu * t) / nu);
    }
}
