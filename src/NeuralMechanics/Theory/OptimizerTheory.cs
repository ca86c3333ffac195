using NeuralMechanics.Tracking.Laws;

namespace NeuralMechanics.Theory;

/// <summary>
/// What the theory says about training under one optimizer's settings: the exact law each symmetry
/// set advances (the tracker's discrete prediction), the continuous model if there is one, the
/// continuous time per step, and the equilibrium of scale-invariant weights (angular update per step,
/// angular speed per unit time, norm). A rule without a law of its own gets the update identity,
/// which holds for every rule. Pure functions on doubles, plus the law of a set.
/// </summary>
public abstract class OptimizerTheory
{
    /// <summary>The optimizer's name and hyperparameters as the report shows them, e.g. "SGD with momentum (β = 0.9)".</summary>
    public abstract string Optimizer { get; }

    /// <summary>The exact discrete law a set with one λ follows, named for legends, e.g. "exact discrete SGD recurrence (eq. 39–41)".</summary>
    public virtual string DiscreteLaw => "update identity Qₙ₊₁ = Qₙ + 2⟨θ, Δθ⟩ + |Δθ|² (measured Δθ)";

    /// <summary>The discrete law's short name for legends of small panels: "update identity" unless the rule has an exact recurrence of its own.</summary>
    public virtual string DiscreteLawShort => "update identity";

    /// <summary>The paper's continuous model under this rule, or null where none is derived.</summary>
    public virtual string? ContinuousLaw => null;

    /// <summary>c in tₙ = c·Σ ηₖ: the continuous time of one step per unit of learning rate (1 − α with SGD momentum, the paper's convention; else 1).</summary>
    public virtual double TimeScale => 1;

    /// <summary>
    /// The equilibrium angular update per step |Δθ_A|/|θ_A| of a scale-invariant group at rate η and
    /// weight decay λ; NaN where the theory does not derive one.
    /// </summary>
    public virtual double EquilibriumAngularUpdate(double eta, double lambda) => double.NaN;

    /// <summary>The equilibrium angular speed per unit of continuous time (the update per step over the time per step); NaN where not derived.</summary>
    public virtual double EquilibriumAngularSpeed(double eta, double lambda) => EquilibriumAngularUpdate(eta, lambda) / eta;

    /// <summary>The equilibrium angular speed as a formula for legends (e.g. "√(2λ/η)"), or null where none is derived.</summary>
    public virtual string? EquilibriumAngularSpeedFormula => null;

    /// <summary>
    /// Whether weight decay is decoupled (θ ← (1 − ηλ)θ − η·u): then the normalised update
    /// u = −(Δθ + ηλθ)/η is what <see cref="EquilibriumNorm"/> reads.
    /// </summary>
    public virtual bool DecoupledDecay => false;

    /// <summary>
    /// The equilibrium norm |θ_A|* implied by a normalised update of size |u|² (decoupled rules: the
    /// norm at which η|u|/|θ_A| equals <see cref="EquilibriumAngularUpdate"/>); NaN where not derived.
    /// </summary>
    public virtual double EquilibriumNorm(double eta, double lambda, double normalisedUpdateSquared) => double.NaN;

    /// <summary>Why the attention heads' matrix charges have no law under these settings, or null when they do (plain SGD).</summary>
    public virtual string? MatrixChargesUnavailable => $"matrix charges under {Optimizer}: no conservation law (the preconditioner is not a multiple of the identity)";

    /// <summary>The law one symmetry set advances under these settings (default: the update identity).</summary>
    internal virtual ISetLaw Law(SetLawContext context) => new UpdateIdentityLaw(context, this);
}
