using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Theory.Optimizers;

/// <summary>
/// Adam and AdamW: no conservation law (the preconditioner is not a multiple of the identity), so
/// every set follows the update identity with the measured Δθ. AdamW's equilibrium angular update is
/// √(2ηλ(1−β₁)/(1+β₁)) (Kosson et al. 2024); Adam's L2 decay is preconditioned too and has none derived.
/// </summary>
public sealed class AdamTheory : OptimizerTheory
{
    private readonly OptimizerSettings settings;
    private readonly bool decoupled;

    /// <summary>The theory of <paramref name="settings"/>; <paramref name="decoupled"/> for AdamW.</summary>
    public AdamTheory(OptimizerSettings settings, bool decoupled) => (this.settings, this.decoupled) = (settings, decoupled);

    /// <inheritdoc/>
    public override string Optimizer => decoupled ? "AdamW" : "Adam";

    /// <inheritdoc/>
    public override bool DecoupledDecay => decoupled;

    /// <inheritdoc/>
    public override double EquilibriumAngularUpdate(double eta, double lambda) =>
        decoupled ? Stationary.AdamWAngularUpdate(eta, lambda, settings.Beta1) : double.NaN;

    /// <inheritdoc/>
    public override string? EquilibriumAngularSpeedFormula => decoupled ? "√(2ηλ(1−β₁)/(1+β₁))/η" : null;

    /// <inheritdoc/>
    public override double EquilibriumNorm(double eta, double lambda, double normalisedUpdateSquared) =>
        decoupled ? Stationary.AdamWNorm(eta, lambda, settings.Beta1, normalisedUpdateSquared) : double.NaN;

    /// <summary>
    /// (1+β₁)(2 − ηλ)/((1−β₁)η) with AdamW's decoupled λ, (2+2β₁)/((1−β₁)η) for Adam (its L2 decay is in
    /// the curvature P⁻¹(H + λI)): the preconditioned threshold of Cohen et al. 2022 (<see cref="EdgeOfStability.Adam"/>).
    /// </summary>
    public override double SharpnessThreshold(double eta, double lambda) =>
        EdgeOfStability.Adam(eta, settings.Beta1, decoupled ? lambda : 0);

    /// <inheritdoc/>
    public override string? SharpnessThresholdFormula => decoupled ? "(1+β₁)(2−ηλ)/((1−β₁)η)" : "(2+2β₁)/((1−β₁)η)";

    /// <inheritdoc/>
    public override string SharpnessMeasure => decoupled ? "P⁻¹H" : "P⁻¹(H + λI)";

    /// <inheritdoc/>
    public override bool Preconditioned => true;

    /// <summary>
    /// P = (1−β₁ᵏ)(√(v/(1−β₂ᵏ)) + ε) after k updates: the update is θ' = θ − ηP⁻¹m with the raw first
    /// moment m, as <see cref="AdamOptimizer"/> applies it (its bias correction of m moved into P).
    /// </summary>
    internal override Tensor? Preconditioner(IOptimizer optimizer, string name)
    {
        var adam = (AdamOptimizer)optimizer;
        if (adam.SecondMoment(name) is not { } v) return null;
        long k = adam.StepCount(name);
        using TorchSharp.Scalar bc2 = Math.Sqrt(1 - Math.Pow(settings.Beta2, k)), eps = settings.Eps, bc1 = 1 - Math.Pow(settings.Beta1, k);
        return v.sqrt().div_(bc2).add_(eps).mul_(bc1);
    }

    /// <inheritdoc/>
    public override string? MatrixChargesUnavailable =>
        $"matrix charges under {settings.Kind.Name()}: no conservation law (the preconditioner is not a multiple of the identity)";
}
