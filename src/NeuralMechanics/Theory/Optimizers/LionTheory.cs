using NeuralMechanics.Theory;

namespace NeuralMechanics.Theory.Optimizers;

/// <summary>
/// What the theory says under Lion: no conservation law (sign(c) is not a multiple of the gradient),
/// so every set follows the update identity with the measured Δθ; the decay is decoupled, and the
/// equilibrium angular update of a scale-invariant group is (Kosson et al. 2024, "Rotational equilibrium")
/// √(π/2)·√(2ηλ)·√((1−β₁)² + β₁²(1−β₂)/(1+β₂)).
/// </summary>
/// <remarks>
/// Why: with gradients uncorrelated across steps, c = (1−β₁)g + β₁(1−β₂)Σₖ β₂ᵏ⁻¹gₙ₋ₖ has per-coordinate
/// variance V·σ², V = (1−β₁)² + β₁²(1−β₂)/(1+β₂). Linearised, sign(c) ≈ √(2/π)·c/(√V σ): the
/// contributions of one gradient to all later updates sum to √(2/π)·g/(√V σ), a random walk of
/// (2/π)/V per coordinate and step. Against the decay 2ηλ|θ|² this gives |θ|² = η·d·(2/π)/(2λV), and
/// with |Δθ| = η√d (every coordinate ±η) the angle η√d/|θ| above. The rest of sign(c), of variance
/// 1 − 2/π per coordinate and uncorrelated, is neglected: it adds (1 − 2/π) to (2/π)/V, 0.8 % of it at
/// β = (0.9, 0.99), but all of the walk at β₁ = 0 (where the angle is √(2ηλ), not √(π/2)·√(2ηλ)).
/// </remarks>
public sealed class LionTheory : OptimizerTheory
{
    private readonly double beta1, beta2;

    /// <summary>The theory of Lion with β₁, β₂.</summary>
    public LionTheory(double beta1, double beta2) => (this.beta1, this.beta2) = (beta1, beta2);

    /// <inheritdoc/>
    public override string Optimizer => "Lion";

    /// <inheritdoc/>
    public override bool DecoupledDecay => true;

    /// <summary>√(π/2)·√(2ηλ)·√((1−β₁)² + β₁²(1−β₂)/(1+β₂)).</summary>
    public override double EquilibriumAngularUpdate(double eta, double lambda) =>
        Math.Sqrt(Math.PI / 2) * Math.Sqrt(2 * eta * lambda) * Math.Sqrt((1 - beta1) * (1 - beta1) + beta1 * beta1 * (1 - beta2) / (1 + beta2));

    /// <inheritdoc/>
    public override string? EquilibriumAngularSpeedFormula => "√(π/2)·√(2ηλ((1−β₁)² + β₁²(1−β₂)/(1+β₂)))/η";

    /// <summary>The norm at which the measured |Δθ + ηλθ| = η|u| turns θ by the equilibrium angle: |θ|* = η|u|/angle.</summary>
    public override double EquilibriumNorm(double eta, double lambda, double normalisedUpdateSquared) =>
        eta * Math.Sqrt(normalisedUpdateSquared) / EquilibriumAngularUpdate(eta, lambda);

    /// <inheritdoc/>
    public override string? MatrixChargesUnavailable => "matrix charges under lion: no conservation law (the sign update is not a multiple of the gradient)";
}
