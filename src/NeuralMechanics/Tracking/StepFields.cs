using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Elementwise fields of one training step that several group sets read (a conv weight is in its
/// own scale and rescale sets and in the previous layer's rescale set): each square is computed
/// once per step. Lives inside the caller's dispose scope.
/// </summary>
internal sealed class StepFields(Func<Parameter, Tensor?> velocity)
{
    private readonly Dictionary<Parameter, Tensor> thetaSquared = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Parameter, Tensor> gradSquared = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Parameter, Tensor> velocitySquared = new(ReferenceEqualityComparer.Instance);

    /// <summary>θ².</summary>
    public Tensor ThetaSquared(Parameter p) => Cached(thetaSquared, p, () => p.detach().square());

    /// <summary>|θ|.</summary>
    public static Tensor ThetaAbs(Parameter p) => p.detach().abs();

    /// <summary>θ.</summary>
    public static Tensor Theta(Parameter p) => p.detach();

    /// <summary>g², zero where the parameter received no gradient.</summary>
    public Tensor GradSquared(Parameter p) => Cached(gradSquared, p, () => p.grad is { } g ? g.square() : zeros_like(p));

    /// <summary>g·θ.</summary>
    public static Tensor GradTheta(Parameter p) => p.grad is { } g ? g * p.detach() : zeros_like(p);

    /// <summary>v², zero before the momentum buffer exists.</summary>
    public Tensor VelocitySquared(Parameter p) => Cached(velocitySquared, p, () => velocity(p) is { } v ? v.square() : zeros_like(p));

    private static Tensor Cached(Dictionary<Parameter, Tensor> cache, Parameter p, Func<Tensor> make)
    {
        if (!cache.TryGetValue(p, out var t)) cache[p] = t = make();
        return t;
    }
}
