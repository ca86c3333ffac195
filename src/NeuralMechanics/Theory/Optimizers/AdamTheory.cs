using NeuralMechanics.Training;

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

    /// <inheritdoc/>
    public override string? MatrixChargesUnavailable =>
        $"matrix charges under {settings.Kind.Name()}: no conservation law (the preconditioner is not a multiple of the identity)";
}
