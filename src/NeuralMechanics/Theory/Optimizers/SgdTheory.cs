using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using NeuralMechanics.Tracking.Laws;

namespace NeuralMechanics.Theory.Optimizers;

/// <summary>
/// The paper's theory of SGD (PyTorch semantics): per set with one λ the exact discrete recurrence
/// (eq. 39–41), its momentum and Nesterov forms, the modified flow (eq. 18–20) or damped oscillator
/// (eq. 33–38); per set whose parts carry different λ the recurrence per λ class; the equilibrium
/// angular speed √(2λ/η) (momentum: √(2λ/(η(1−α)(1+β)))) in the time tₙ = (1−α)·Σηₖ.
/// </summary>
public sealed class SgdTheory : OptimizerTheory
{
    private readonly OptimizerSettings settings;

    /// <summary>The theory of <paramref name="settings"/> (an SGD run).</summary>
    public SgdTheory(OptimizerSettings settings) => this.settings = settings;

    private bool Momentum => settings.Momentum > 0;

    /// <inheritdoc/>
    public override string Optimizer => settings.Nesterov ? "SGD with Nesterov momentum" : Momentum ? "SGD with momentum" : "SGD";

    /// <inheritdoc/>
    public override string DiscreteLaw => settings.Nesterov ? "exact discrete Nesterov recurrence"
        : Momentum ? "exact discrete momentum recurrence" : "exact discrete SGD recurrence (eq. 39–41)";

    /// <inheritdoc/>
    public override string DiscreteLawShort => "exact discrete";

    /// <inheritdoc/>
    public override string? ContinuousLaw => settings.Nesterov ? null : Momentum ? "damped oscillator (eq. 33–38)" : "modified gradient flow (eq. 18–20)";

    /// <inheritdoc/>
    public override double TimeScale => Momentum ? 1 - settings.Dampening : 1;

    /// <inheritdoc/>
    public override double EquilibriumAngularUpdate(double eta, double lambda)
    {
        try { return Stationary.AngularUpdate(settings.Sgd with { LearningRate = eta, WeightDecay = lambda }); }
        catch (InvalidInputException) { return double.NaN; }
    }

    /// <inheritdoc/>
    public override double EquilibriumAngularSpeed(double eta, double lambda)
    {
        try { return Stationary.AngularSpeed(settings.Sgd with { LearningRate = eta, WeightDecay = lambda }); }
        catch (InvalidInputException) { return double.NaN; }
    }

    /// <inheritdoc/>
    public override string? EquilibriumAngularSpeedFormula => settings.Nesterov ? null
        : !Momentum ? "√(2λ/η)"
        : settings.Dampening == 0 ? "√(2λ/(η(1+β)))" : "√(2λ/(η(1−α)(1+β)))";

    /// <summary>
    /// 2/η; heavy ball 2(1+β)/(η(1−α)); Nesterov 2(1+β)/(η(1+β(2−α))) (<see cref="EdgeOfStability"/>),
    /// for the curvature of H + λI (the L2 decay is in the gradient), so it does not depend on λ.
    /// </summary>
    public override double SharpnessThreshold(double eta, double lambda) =>
        settings.Nesterov ? EdgeOfStability.Nesterov(eta, settings.Momentum, settings.Dampening)
        : Momentum ? EdgeOfStability.HeavyBall(eta, settings.Momentum, settings.Dampening)
        : EdgeOfStability.GradientDescent(eta);

    /// <inheritdoc/>
    public override string? SharpnessThresholdFormula => settings.Nesterov
        ? settings.Dampening == 0 ? "2(1+β)/(η(1+2β))" : "2(1+β)/(η(1+β(2−α)))"
        : !Momentum ? "2/η" : settings.Dampening == 0 ? "2(1+β)/η" : "2(1+β)/(η(1−α))";

    /// <inheritdoc/>
    public override string? MatrixChargesUnavailable => Momentum
        ? "matrix charges with momentum: the law (docs/design.md, \"Transformers\") is not tracked; only the measured charge is recorded"
        : null;

    /// <summary>
    /// Sets with one λ: the recurrence of plain SGD, momentum or Nesterov. Sets whose parts carry
    /// different λ (no weight decay on biases or norms): each part advanced with its own λ and the
    /// measured ⟨θ_part, g_part⟩, which the symmetry no longer cancels (scale and rescale, SGD and
    /// heavy-ball; translation groups of the zoo each lie in one parameter, Nesterov's mixed law is not derived).
    /// </summary>
    internal override ISetLaw Law(SetLawContext context)
    {
        var set = context.Set;
        bool mixed = context.MixedDecay;
        string? unavailable = null;
        if (mixed && (set.Kind == SymmetryKind.Translation || settings.Nesterov))
            unavailable = $"{set.Kind.Name()} groups of {set.Layer}: mixed weight decay (" +
                string.Join(", ", context.Parts.Select(p => $"λ = {p.Lambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} on {p.Name}")) +
                $"); the exact law advances each part with its own λ, derived for {(settings.Nesterov ? "SGD and heavy-ball momentum, not Nesterov" : "scale and rescale groups")}, so it is not predicted";
        var sgd = settings.Sgd with { WeightDecay = context.Lambdas.Count == 1 ? context.Lambda : settings.WeightDecay };
        if (mixed && unavailable is null) return new MixedDecayLaw(context, this, sgd);
        if (settings.Nesterov) return new NesterovLaw(context, this, sgd, unavailable);
        if (Momentum) return new MomentumLaw(context, this, sgd, unavailable);
        return new SgdLaw(context, this, sgd, unavailable);
    }
}
