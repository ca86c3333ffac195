using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// Nesterov momentum with one λ: the exact recurrence of <see cref="LayerPredictor"/>'s remarks
/// (P̃ = βP + cλQ, Q' = Q − 2η(λQ + βP̃) + η²U, P' = P̃ − ηW), fed with the recorded update:
/// U = |Δθ|²/η², W = −⟨Δθ, v'⟩/η. No continuous model and no equilibrium are derived.
/// </summary>
internal sealed class NesterovLaw : PredictedSgdLaw
{
    private readonly Term[]? updateSquared, updateVelocity;

    /// <param name="context">The set.</param>
    /// <param name="theory">The run's theory (equilibrium values).</param>
    /// <param name="settings">SGD's hyperparameters with the set's λ.</param>
    /// <param name="unavailable">Why the set is not predicted, or null.</param>
    public NesterovLaw(SetLawContext context, OptimizerTheory theory, SgdSettings settings, string? unavailable) : base(context, theory, settings, unavailable)
    {
        if (Driven)
        {
            updateSquared = Sum(StepField.UpdateSquared);
            updateVelocity = Sum(StepField.UpdateVelocity);
        }
    }

    /// <inheritdoc/>
    public override bool NeedsUpdates => Driven;

    /// <inheritdoc/>
    public override LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured)
    {
        var u2 = Optional(updateSquared, measured);
        var forcing = UpdateForcing(u2, eta);
        if (step == 0) Start(q);
        else if (Predictor is not null)
        {
            if (Driven)
            {
                // u = −Δθ/η: U = |Δθ|²/η², W = ⟨u, v'⟩ = −⟨Δθ, v'⟩/η.
                var uv = Combine(updateVelocity!, measured);
                var w = new double[Count];
                for (int i = 0; i < Count; i++) w[i] = eta == 0 ? 0 : -uv[i] / eta;
                Predictor.Advance(forcing!, eta, w);
            }
            else Predictor.Advance([], eta, default);
        }
        var speed = ShownSpeed(step);
        if (IsScale && step != 0)
        {
            speed = new double[Count];
            for (int i = 0; i < speed.Length; i++) speed[i] = Math.Sqrt(u2![i] / previousQ[i]) / eta;
        }
        var (stationary, update) = Equilibrium(Theory, eta);
        return new LawStep(forcing, speed, stationary, Predictor?.GradientFlow.ToArray(), Predictor?.Continuous.ToArray(), Predictor?.Discrete.ToArray(),
            update, null);
    }
}
