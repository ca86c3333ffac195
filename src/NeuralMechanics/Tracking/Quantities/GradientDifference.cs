using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The Hessian-vector product by a forward difference of gradients, H·v ≈ (g(θ + εv) − g(θ))/ε: the step's
/// own gradient g(θ) is reused, so a product costs one forward and one backward pass (the step's forward
/// replayed, <see cref="StepContext.ReplayGradient"/>) and the step keeps no graph for double backward. The error is the
/// truncation (ε/2)·∇³L[v, v] plus the rounding u·|g|/ε; ε = √u·(1 + |θ|)/|v| (u the dtype's machine
/// epsilon) balances the two, leaving a relative error of order √u (≈ 3e-4 in float32) where the third
/// derivative is of the order of the second (the tests bound it against the exact product); across ReLU kinks
/// within ε of θ it is larger (8–15% on λ_max of an MLP 2×256), which is why it is opt-in.
/// </summary>
internal static class GradientDifference
{
    /// <summary>ε for a direction of norm <paramref name="directionNorm"/> at parameters of norm <paramref name="parameterNorm"/>.</summary>
    public static double StepSize(double parameterNorm, double directionNorm, ScalarType dtype) =>
        Math.Sqrt(MachineEpsilon(dtype)) * (1 + parameterNorm) / directionNorm;

    /// <summary>The unit roundoff of <paramref name="dtype"/> (2⁻⁵² for float64, 2⁻²³ for float32, 2⁻¹⁰ for float16, 2⁻⁷ for bfloat16).</summary>
    public static double MachineEpsilon(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => Math.Pow(2, -52),
        ScalarType.Float16 => Math.Pow(2, -10),
        ScalarType.BFloat16 => Math.Pow(2, -7),
        _ => Math.Pow(2, -23),
    };

    /// <summary>
    /// H·<paramref name="direction"/> ≈ (g(θ + εv) − g(θ))/ε, one detached tensor per parameter; the parameters are
    /// put back to <paramref name="saved"/> (bit for bit) before it returns.
    /// </summary>
    /// <param name="step">The step whose forward pass is replayed.</param>
    /// <param name="parameters">θ (live; moved to θ + εv and back).</param>
    /// <param name="gradient">g(θ), the step's gradient, per parameter.</param>
    /// <param name="saved">Copies of θ, per parameter.</param>
    /// <param name="direction">v, shaped like the parameters (not zero).</param>
    /// <param name="parameterNorm">|θ|.</param>
    public static Tensor[] Of(StepContext step, IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> gradient, IReadOnlyList<Tensor> saved,
        IReadOnlyList<Tensor> direction, double parameterNorm)
    {
        double squared = 0;
        foreach (var d in direction) squared += d.square().sum().to(ScalarType.Float64).ReadDouble();
        double epsilon = StepSize(parameterNorm, Math.Sqrt(squared), parameters[0].dtype);
        try
        {
            using (no_grad())
                for (int i = 0; i < parameters.Count; i++)
                {
                    using TorchSharp.Scalar e = epsilon;
                    parameters[i].add_(direction[i], alpha: e);
                }
            var moved = step.ReplayGradient(parameters);
            using TorchSharp.Scalar inverse = 1 / epsilon;
            return [.. moved.Select((g, i) => (g - gradient[i]).mul_(inverse))];
        }
        finally
        {
            using (no_grad())
                for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(saved[i]);
        }
    }
}
