using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// Plain SGD with one λ: the exact discrete recurrence Qₙ₊₁ = (1−ηₙλ)²Qₙ + ηₙ²Fₙ (translation
/// (1−ηₙλ)Qₙ; eq. 39–41) and the modified flow (eq. 18–20), advanced by <see cref="LayerPredictor"/>
/// with the forcing F = |g_A|² measured before the update. Scale groups' angular speed is
/// |Δθ|/(η|θ|) with |Δθ|² = η²(|g|² + 2λ⟨g,θ⟩ + λ²|θ|²).
/// </summary>
internal sealed class SgdLaw : PredictedSgdLaw
{
    private readonly Term[]? gradSquared, gradTheta;

    /// <param name="context">The set.</param>
    /// <param name="theory">The run's theory (equilibrium values).</param>
    /// <param name="settings">SGD's hyperparameters with the set's λ.</param>
    /// <param name="unavailable">Why the set is not predicted, or null.</param>
    public SgdLaw(SetLawContext context, OptimizerTheory theory, SgdSettings settings, string? unavailable) : base(context, theory, settings, unavailable)
    {
        if (Driven) gradSquared = Sum(StepField.GradSquared);
        if (IsScale) gradTheta = Sum(StepField.GradTheta);
    }

    /// <inheritdoc/>
    public override LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured)
    {
        var g2 = Optional(gradSquared, measured);
        var gt = Optional(gradTheta, measured);
        if (step == 0) Start(q);
        else Predictor?.Advance(PendingForcing, eta, default);
        var speed = ShownSpeed(step);
        if (IsScale && g2 is not null)
        {
            double lambda = Context.Lambda;
            var next = new double[Count];
            for (int i = 0; i < next.Length; i++)
                next[i] = Math.Sqrt(Math.Max(0, g2[i] + 2 * lambda * gt![i] + lambda * lambda * q[i]) / q[i]);
            PendingSpeed = next;
        }
        var (stationary, update) = Equilibrium(Theory, eta);
        var record = new LawStep(g2, speed, stationary, Predictor?.GradientFlow.ToArray(), Predictor?.Continuous.ToArray(), Predictor?.Discrete.ToArray(),
            update, EquilibriumNorm(step, q, g2));
        if (g2 is not null) PendingForcing = g2;
        return record;
    }

    /// <summary>|θ_A|* = (ηG/(λ(2−ηλ)))^{1/4} from this step's F = |g|² at the coming rate (λ &gt; 0).</summary>
    private double[]? EquilibriumNorm(long step, double[] q, double[]? g2)
    {
        double lambda = Context.Lambda;
        if (!IsScale || SetUnavailable is not null || !(lambda > 0) || g2 is null) return null;
        double eta = Context.Clock.LearningRate(step);
        var norm = new double[Count];
        for (int i = 0; i < Count; i++) norm[i] = Stationary.SgdNorm(eta, lambda, q[i] * g2[i]);
        return norm;
    }
}
