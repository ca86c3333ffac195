namespace NeuralMechanics.Tests.Symmetry;

/// <summary>
/// Bounds on the verifier's residuals (<see cref="NeuralMechanics.Symmetry.VerificationResult"/>) that
/// follow from what breaks the symmetry: BatchNorm's ε for its approximate scale symmetry, float32
/// rounding for an exact symmetry checked in single precision.
/// </summary>
internal static class VerificationBounds
{
    /// <summary>BatchNorm's ε (PyTorch's and TorchSharp's default), added to the batch variance σ².</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>
    /// Scaling a BatchNorm-read group by α scales the normalised output by α√(σ²+ε)/√(α²σ²+ε), whose
    /// derivative at α = 1 is ε/(σ²+ε): the gradient along the scale generator, zero for ε = 0, is that
    /// fraction of |g|·|θ|. Freshly initialised (Kaiming) layers fed unit-variance inputs have σ² of
    /// order 1, so the residual is about ε; ten times ε leaves a decade for channels of smaller variance.
    /// (Measured on the zoo's tests: at most 1.2 ε.)
    /// </summary>
    public const double BatchNormScaleGradient = 10 * BatchNormEpsilon;

    /// <summary>
    /// The same for the invariance residual |L(ψ(θ, α)) − L(θ)| / |L(θ)| at a random α per group: the
    /// loss moves by the integral of that gradient over α, of the same order ε.
    /// </summary>
    public const double BatchNormScaleInvariance = 10 * BatchNormEpsilon;

    /// <summary>float32's machine epsilon 2⁻²³.</summary>
    public static readonly double Float32Epsilon = Math.Pow(2, -23);

    /// <summary>
    /// An exact symmetry's gradient residual in float32: zero in exact arithmetic, so what remains is the
    /// rounding of the gradient's backward pass, each of its roughly ten operations between the loss and
    /// a parameter of a small MLP rounding to ε₃₂ relative. (Measured: below 0.2 ε₃₂.)
    /// </summary>
    public static readonly double Float32ExactGradient = 10 * Float32Epsilon;
}
