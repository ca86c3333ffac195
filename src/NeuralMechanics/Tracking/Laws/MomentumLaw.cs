using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// Heavy-ball momentum with one λ: the exact recurrence P̃ = βP + cλQ, Q' = Q − 2ηP̃ + η²K,
/// P' = P̃ − ηK (translation u' = βu + cλs, s' = s − ηu') and the damped oscillator (eq. 33–38),
/// advanced by <see cref="LayerPredictor"/> with Kₙ₊₁ = |v_A|² of the buffer after the update.
/// Scale groups' angular speed is |v|/((1−α)|θ|) (Δθ = −ηv, time t = η(1−α)·step).
/// </summary>
internal sealed class MomentumLaw : PredictedSgdLaw
{
    private readonly Term[]? velocitySquared;

    /// <param name="context">The set.</param>
    /// <param name="theory">The run's theory (equilibrium values).</param>
    /// <param name="settings">SGD's hyperparameters with the set's λ.</param>
    /// <param name="unavailable">Why the set is not predicted, or null.</param>
    public MomentumLaw(SetLawContext context, OptimizerTheory theory, SgdSettings settings, string? unavailable) : base(context, theory, settings, unavailable)
    {
        if (Driven) velocitySquared = Sum(StepField.VelocitySquared);
    }

    /// <inheritdoc/>
    public override LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured)
    {
        var v2 = Optional(velocitySquared, measured);
        if (step == 0) Start(q);
        else Predictor?.Advance(v2 ?? [], eta, default);
        var speed = ShownSpeed(step);
        if (IsScale && step != 0)
        {
            speed = new double[Count];
            // Per unit of t = η(1−α)·step: |Δθ|/(η(1−α)|θ|) = |v|/((1−α)|θ|), the time the equilibrium √(2λ/(η(1−α)(1+β))) is in.
            double timeScale = 1 - Settings.Dampening;
            for (int i = 0; i < speed.Length; i++) speed[i] = timeScale > 0 ? Math.Sqrt(v2![i] / previousQ[i]) / timeScale : double.NaN;
        }
        var (stationary, update) = Equilibrium(Theory, eta);
        return new LawStep(v2, speed, stationary, Predictor?.GradientFlow.ToArray(), Predictor?.Continuous.ToArray(), Predictor?.Discrete.ToArray(),
            update, EquilibriumNorm(step, q, v2));
    }

    /// <summary>|θ_A|* = (ηV(1+β)/(2λ(1−α)))^{1/4} from K = |v|² after the last update (λ &gt; 0).</summary>
    private double[]? EquilibriumNorm(long step, double[] q, double[]? v2)
    {
        double lambda = Context.Lambda;
        if (!IsScale || SetUnavailable is not null || !(lambda > 0) || v2 is null || step == 0) return null;
        double eta = Context.Clock.LearningRate(step - 1);
        var norm = new double[Count];
        for (int i = 0; i < Count; i++) norm[i] = Stationary.MomentumNorm(eta, lambda, Settings.Momentum, Settings.Dampening, q[i] * v2[i]);
        return norm;
    }
}
