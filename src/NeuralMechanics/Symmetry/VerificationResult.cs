namespace NeuralMechanics.Symmetry;

/// <summary>
/// Largest residuals of one group set's numeric checks, each relative (see <see cref="SymmetryVerifier"/>).
/// </summary>
/// <param name="Layer">The set's key.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Groups">Number of groups checked.</param>
/// <param name="Exact">False where the symmetry is approximate (BatchNorm/LayerNorm ε): its residuals are shown, not judged.</param>
/// <param name="Invariance">|L(ψ(θ, α)) − L(θ)| / |L(θ)| for random α per group.</param>
/// <param name="Gradient">max over groups of |⟨g, generator⟩| / (|g_T|·|generator|), T the parameter tensors the set touches.</param>
/// <param name="Hessian">|H·v + g-term| relative to the size of its terms (translation: to |v|·‖H‖ estimated from a random direction).</param>
/// <param name="Noise">the same for per-example gradients g_i of a few examples.</param>
/// <param name="DoublePrecision">Whether the check ran in float64 (tighter tolerances).</param>
public sealed record VerificationResult(
    string Layer, SymmetryKind Kind, long Groups, bool Exact,
    double Invariance, double Gradient, double Hessian, double Noise, bool DoublePrecision)
{
    /// <summary>Tolerance for invariance and gradient residuals: 1e-4 in float32, 1e-9 in float64.</summary>
    public double FirstOrderTolerance => DoublePrecision ? 1e-9 : 1e-4;

    /// <summary>Tolerance for Hessian residuals: 1e-3 in float32, 1e-7 in float64.</summary>
    public double HessianTolerance => DoublePrecision ? 1e-7 : 1e-3;

    /// <summary>Whether the residuals are within tolerance (always true for approximate symmetries, which are reported, not judged).</summary>
    public bool Passed => !Exact || (Invariance <= FirstOrderTolerance && Gradient <= FirstOrderTolerance
        && Noise <= FirstOrderTolerance && Hessian <= HessianTolerance);
}
