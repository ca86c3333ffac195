using NeuralMechanics.Training;
using NeuralMechanics.Tracking.Laws;
using static TorchSharp.torch;

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

    /// <summary>
    /// The stability threshold of the sharpness at rate η (<see cref="EdgeOfStability"/>): the largest
    /// eigenvalue of <see cref="SharpnessMeasure"/> at which the update, linearised on a quadratic, does
    /// not diverge; <paramref name="lambda"/> is the weight decay (it enters the curvature when coupled,
    /// the threshold when decoupled). NaN where the rule has no linear stability analysis.
    /// </summary>
    public virtual double SharpnessThreshold(double eta, double lambda) => double.NaN;

    /// <summary>The threshold as a formula for legends, e.g. "2/η"; null where none is derived.</summary>
    public virtual string? SharpnessThresholdFormula => null;

    /// <summary>
    /// What the sharpness is the top eigenvalue of: "H" (the Hessian of the batch loss, plus λI with a
    /// coupled weight decay), or "P⁻¹H" for a preconditioned rule (<see cref="Preconditioner"/>).
    /// </summary>
    public virtual string SharpnessMeasure => DecoupledDecay ? "H" : "H + λI";

    /// <summary>
    /// The diagonal preconditioner P of a parameter as the optimizer holds it before its next update
    /// (the sharpness is then that of P⁻¹H, computed as P^{-1/2}HP^{-1/2}); null where the rule is not
    /// preconditioned or has no state yet (before its first update).
    /// </summary>
    internal virtual Tensor? Preconditioner(IOptimizer optimizer, string name) => null;

    /// <summary>Whether the rule is preconditioned (<see cref="Preconditioner"/> is not the identity).</summary>
    public virtual bool Preconditioned => false;

    /// <summary>The law one symmetry set advances under these settings (default: the update identity).</summary>
    internal virtual ISetLaw Law(SetLawContext context) => new UpdateIdentityLaw(context, this);
}
