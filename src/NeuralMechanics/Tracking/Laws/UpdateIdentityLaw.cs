using NeuralMechanics.Theory;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// The law of every update rule (Adam, AdamW, Lion, ...): the identity Qₙ₊₁ = Qₙ + 2⟨θₙ, Δθ⟩ + |Δθ|²
/// (translation Qₙ₊₁ = Qₙ + Σ_A Δθ) advanced by <see cref="UpdateIdentityPredictor"/> with the update
/// the optimizer recorded. The forcing shown is |Δθ_A|²/η², the angular speed |Δθ|/(η|θ|); the
/// equilibrium values are the rule's theory's, and with decoupled decay the equilibrium norm is the
/// one the measured normalised update u = −(Δθ + ηλθₙ)/η implies.
/// </summary>
internal sealed class UpdateIdentityLaw : SetLaw
{
    private readonly OptimizerTheory theory;
    private readonly Term[]? updateSum, previousThetaUpdate, updateSquared;
    private UpdateIdentityPredictor? identity;

    /// <param name="context">The set.</param>
    /// <param name="theory">The rule's theory (its law's name and equilibrium).</param>
    public UpdateIdentityLaw(SetLawContext context, OptimizerTheory theory) : base(context, null)
    {
        this.theory = theory;
        if (Translation) updateSum = Sum(StepField.Update);
        else
        {
            previousThetaUpdate = Sum(StepField.PreviousThetaUpdate);
            updateSquared = Sum(StepField.UpdateSquared);
        }
    }

    /// <inheritdoc/>
    public override string Name => theory.DiscreteLaw;

    /// <inheritdoc/>
    public override bool NeedsUpdates => true;

    /// <inheritdoc/>
    public override LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured)
    {
        var u2 = Optional(updateSquared, measured);
        var forcing = UpdateForcing(u2, eta);
        if (step == 0) identity = new UpdateIdentityPredictor(Set.Kind, q);
        else identity!.Advance(Translation ? Combine(updateSum!, measured) : Combine(previousThetaUpdate!, measured), u2 ?? []);
        var speed = ShownSpeed(step);
        if (IsScale && step != 0)
        {
            speed = new double[Count];
            for (int i = 0; i < speed.Length; i++) speed[i] = Math.Sqrt(u2![i] / previousQ[i]) / eta;
        }
        var (stationary, update) = Equilibrium(theory, eta);
        return new LawStep(forcing, speed, stationary, identity.GradientFlow.ToArray(), NaNs(), identity.Discrete.ToArray(),
            update, EquilibriumNorm(step, u2, previousQ, measured));
    }

    /// <summary>
    /// Decoupled decay (Δθ = −ηλθₙ − ηu): |u|² = (|Δθ|² + 2ηλ⟨θₙ, Δθ⟩ + η²λ²Qₙ)/η², and the norm the
    /// theory's equilibrium implies for it (λ &gt; 0, one λ per set).
    /// </summary>
    private double[]? EquilibriumNorm(long step, double[]? u2, double[] previousQ, double[] measured)
    {
        double lambda = Context.Lambda;
        if (!IsScale || !(lambda > 0) || !theory.DecoupledDecay || u2 is null || step == 0) return null;
        double eta = Context.Clock.LearningRate(step - 1);
        if (!(eta > 0)) return null;
        var thetaUpdate = Combine(previousThetaUpdate!, measured);
        var norm = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            double uu = (u2[i] + 2 * eta * lambda * thetaUpdate[i] + eta * eta * lambda * lambda * previousQ[i]) / (eta * eta);
            norm[i] = theory.EquilibriumNorm(eta, lambda, uu);
        }
        return norm;
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double[] Values)> PredictorState()
    {
        if (identity is not null) yield return ("predictor", identity.SaveState());
    }

    /// <inheritdoc/>
    protected override void LoadPredictorState(double[] state, double[] previousQ)
    {
        identity = new UpdateIdentityPredictor(Set.Kind, previousQ);
        identity.LoadState(state);
    }
}
