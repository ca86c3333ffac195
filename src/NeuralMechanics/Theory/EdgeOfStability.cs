namespace NeuralMechanics.Theory;

/// <summary>
/// The stability thresholds of the update rules on a quadratic (Cohen et al. 2021, 2022): the largest
/// curvature a (an eigenvalue of the Hessian, or of the preconditioned Hessian P⁻¹H for Adam) along
/// which the linearised iteration does not diverge, with the update's weight decay folded in. Each
/// comes from the 2×2 iteration matrix M of (x, ηv) along one eigenvector, h = ηa: the iteration is
/// stable while both eigenvalues of M lie inside the unit circle, and the edge crossed first is the
/// eigenvalue −1 (Jury: 1 + tr M + det M = 0). Pure functions on doubles.
/// </summary>
public static class EdgeOfStability
{
    /// <summary>
    /// Gradient descent x' = x − ηa·x: |1 − ηa| &lt; 1, so a &lt; 2/η. The curvature is that of the loss
    /// plus the L2 weight decay (d = g + λθ), which the caller adds to the Hessian.
    /// </summary>
    public static double GradientDescent(double eta) => 2 / eta;

    /// <summary>
    /// Heavy-ball momentum as <c>torch.optim.SGD</c> (v' = βv + (1−α)d, θ' = θ − ηv'):
    /// M = [[1 − (1−α)h, −β], [(1−α)h, β]], tr M = 1 + β − (1−α)h, det M = β, so a &lt; 2(1+β)/(η(1−α)).
    /// </summary>
    public static double HeavyBall(double eta, double beta, double dampening) => 2 * (1 + beta) / (eta * (1 - dampening));

    /// <summary>
    /// Nesterov momentum as <c>torch.optim.SGD</c> (v' = βv + (1−α)d, θ' = θ − η(d + βv')), c = 1 − α:
    /// M = [[1 − h(1 + βc), −β²], [ch, β]], tr M = 1 + β − h(1 + βc), det M = β(1 − h), so
    /// a &lt; 2(1+β)/(η(1 + β + βc)) (2(1+β)/(η(1+2β)) without dampening); the other edge, det M = −1
    /// at h = (1+β)/β, lies beyond it for every β &lt; 1.
    /// </summary>
    public static double Nesterov(double eta, double beta, double dampening) =>
        2 * (1 + beta) / (eta * (1 + beta + beta * (1 - dampening)));

    /// <summary>
    /// Adam and AdamW with the preconditioner P held fixed (Cohen et al. 2022): θ' = (1 − ηλ_d)θ − ηP⁻¹m,
    /// m' = β₁m + (1−β₁)g, with P = (1−β₁ᵏ)(diag(√v̂) + ε) (the bias correction of m moved into P) and a
    /// an eigenvalue of P⁻¹H. M = [[1 − ηλ_d − (1−β₁)h, −β₁], [(1−β₁)h, β₁]], det M = β₁(1 − ηλ_d), so
    /// a &lt; (1+β₁)(2 − ηλ_d)/((1−β₁)η): (2 + 2β₁)/((1−β₁)η) without decoupled decay λ_d (Adam: its L2
    /// decay is in the curvature, P⁻¹(H + λI)).
    /// </summary>
    public static double Adam(double eta, double beta1, double decoupledDecay) =>
        (1 + beta1) * (2 - eta * decoupledDecay) / ((1 - beta1) * eta);
}
