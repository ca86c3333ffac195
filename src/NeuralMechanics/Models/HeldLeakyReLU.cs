using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// LeakyReLU whose negative slope is one <see cref="Scalar"/> held for the module's life.
/// TorchSharp 0.107's <c>nn.LeakyReLU</c> converts its double slope to a temporary Scalar on
/// every forward, which a collection on another thread can free during the native call (see
/// <see cref="TensorValues"/>). Same numbers as <c>nn.LeakyReLU</c>.
/// </summary>
internal sealed class HeldLeakyReLU : nn.Module<Tensor, Tensor>
{
    private readonly Scalar slope;

    /// <summary>f(x) = x for x ≥ 0, <paramref name="negativeSlope"/>·x otherwise.</summary>
    public HeldLeakyReLU(double negativeSlope = 0.01) : base(nameof(HeldLeakyReLU))
    {
        NegativeSlope = negativeSlope;
        slope = negativeSlope;
    }

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.leaky_relu(slope);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) slope.Dispose();
        base.Dispose(disposing);
    }
}
