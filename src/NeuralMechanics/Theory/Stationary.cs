using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>
/// Stationary state of scale-symmetric weights, where weight decay and discretization balance
/// (Section 6; Wan et al. 2021 for SGD and SGDM, Kosson et al. 2024 for AdamW). It is approached
/// over the order of 1/(ηλ) steps.
/// </summary>
public static class Stationary
{
    /// <summary>
    /// Angular speed |dθ/dt|/|θ| at stationarity, per unit of continuous time
    /// (<see cref="SgdSettings.TimePerStep"/>; multiply by it for the angle per step).
    /// SGD: √(2λ/η), from d|θ|²/dt = −2λ|θ|² + η|g|² = 0 (eq. 21).
    /// Heavy-ball momentum: √(2λ/(η(1−α)(1+β))), from eq. 35 with |θ|²'' = |θ|²' = 0, which gives
    /// λ|θ|² = ½η(1−α)(1+β)|dθ/dt|²; it reduces to the SGD value at β = α = 0.
    /// </summary>
    /// <exception cref="InvalidInputException">Nesterov momentum (not derived) or settings out of range.</exception>
    public static double AngularSpeed(SgdSettings s)
    {
        PredictableSettings.Check(s, "the stationary angular speed");
        if (s.Nesterov)
            throw new InvalidInputException("nesterov: the stationary angular speed is derived for heavy-ball momentum only");
        if (s.Momentum == 0) return Math.Sqrt(2 * s.WeightDecay / s.LearningRate);
        return Math.Sqrt(2 * s.WeightDecay / (s.LearningRate * (1 - s.Dampening) * (1 + s.Momentum)));
    }

    /// <summary>
    /// Equilibrium angular update per step |Δθ_A|/|θ_A|: SGD √(2ηλ); SGDM √(2ηλ(1−α)/(1+β))
    /// (√(2ηλ/(1+β)) without dampening). Equal to <see cref="AngularSpeed"/> × the time per step.
    /// </summary>
    /// <exception cref="InvalidInputException">Nesterov momentum (not derived) or settings out of range.</exception>
    public static double AngularUpdate(SgdSettings s)
    {
        PredictableSettings.Check(s, "the equilibrium angular update");
        if (s.Nesterov)
            throw new InvalidInputException("nesterov: the equilibrium angular update is derived for heavy-ball momentum only");
        return Math.Sqrt(2 * s.LearningRate * s.WeightDecay * (1 - s.Dampening) / (1 + s.Momentum));
    }

    /// <summary>
    /// AdamW's equilibrium angular update per step √(2ηλ(1−β₁)/(1+β₁)) (Kosson et al. 2024): the
    /// decoupled decay shrinks |θ|² by (1−ηλ)² while the normalised update, of per-coordinate RMS
    /// √((1−β₁)/(1+β₁)) when gradients are uncorrelated across steps, grows it.
    /// </summary>
    public static double AdamWAngularUpdate(double eta, double lambda, double beta1)
    {
        if (!(eta > 0) || !(lambda >= 0) || !(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(eta), $"expected η > 0, λ ≥ 0, β₁ in [0, 1), found {eta}, {lambda}, {beta1}");
        return Math.Sqrt(2 * eta * lambda * (1 - beta1) / (1 + beta1));
    }

    /// <summary>
    /// Equilibrium norm |θ_A|* of a scale-invariant group under SGD, from Q' = (1−ηλ)²Q + η²|g|² = Q
    /// and |g|² = G/Q (the gradient scales as 1/|θ|; G = Q|g|² is the squared gradient at unit norm):
    /// |θ_A|* = (ηG/(λ(2−ηλ)))^{1/4}.
    /// </summary>
    public static double SgdNorm(double eta, double lambda, double unitGradientSquared) =>
        Math.Pow(eta * unitGradientSquared / (lambda * (2 - eta * lambda)), 0.25);

    /// <summary>
    /// Equilibrium norm of a scale-invariant group under heavy-ball momentum, from the fixed point of
    /// the exact recurrence (P̃ = βP + (1−α)λQ, Q' = Q − 2ηP̃ + η²K, P' = P̃ − ηK): P = −ηK/2 and
    /// (1−α)λQ = ηK(1+β)/2, with K = |v|² = V/Q (V = QK): |θ_A|* = (ηV(1+β)/(2λ(1−α)))^{1/4}.
    /// </summary>
    public static double MomentumNorm(double eta, double lambda, double beta, double dampening, double unitVelocitySquared) =>
        Math.Pow(eta * unitVelocitySquared * (1 + beta) / (2 * lambda * (1 - dampening)), 0.25);

    /// <summary>
    /// Equilibrium norm of a scale-invariant group under AdamW whose normalised update u = m̂/(√v̂+ε)
    /// has |u|² = <paramref name="updateSquared"/>: the norm at which the angular update η|u|/|θ_A|
    /// equals <see cref="AdamWAngularUpdate"/>, |θ_A|* = √(η|u|²(1+β₁)/(2λ(1−β₁))). With the
    /// random-walk size |u|² = |A|(1−β₁)/(1+β₁) it is Kosson et al.'s √(η|A|/(2λ)). (Successive
    /// updates are correlated through m, so the uncorrelated balance (1−ηλ)²Q + η²|u|² = Q would
    /// understate it by √((1−β₁)/(1+β₁)); at β₁ = 0 both agree to first order in ηλ.)
    /// </summary>
    public static double AdamWNorm(double eta, double lambda, double beta1, double updateSquared) =>
        Math.Sqrt(eta * updateSquared * (1 + beta1) / (2 * lambda * (1 - beta1)));
}
