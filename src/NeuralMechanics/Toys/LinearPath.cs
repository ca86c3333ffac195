using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Toys;

/// <summary>
/// Rescale toy: a linear path w2·w1·x with inputs x = (1, 2) and targets y = (1, 2), loss
/// ½·mean((w2·w1·x − y)²) = 1.25·(w1·w2 − 1)². (αw1, w2/α) leaves it unchanged; the minima form
/// the hyperbola w1·w2 = 1.
/// </summary>
public sealed class LinearPath : SymmetricToy
{
    private static readonly double[] Inputs = [1, 2];
    private static readonly double[] Targets = [1, 2];

    /// <summary>Panel title: rescale, linear path.</summary>
    public override string Title => "rescale: linear path w2·w1·x";
    /// <summary>Rescale: (αw1, w2/α) leaves the loss unchanged.</summary>
    public override SymmetryKind Kind => SymmetryKind.Rescale;
    /// <summary>The linear path, its two examples and the squared-error loss, in one line.</summary>
    public override string Description => "½·mean((w2·w1·x − y)²) with x = (1, 2), y = (1, 2)";

    /// <summary>Training loss ½·mean((w2·w1·x − y)²) = 1.25·(w1·w2 − 1)².</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The loss.</returns>
    public override double Loss(Vec2 w) =>
        Inputs.Select((x, i) => Math.Pow(w.Y * w.X * x - Targets[i], 2)).Sum() / (2 * Inputs.Length);

    /// <summary>Gradient ∂L/∂(w1, w2), written out by hand by the chain rule through w1·w2.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The gradient.</returns>
    public override Vec2 Gradient(Vec2 w)
    {
        // ∂L/∂(w2w1) = mean((w2w1x − y)x); chain rule to w1 (times w2) and w2 (times w1).
        double dp = Inputs.Select((x, i) => (w.Y * w.X * x - Targets[i]) * x).Sum() / Inputs.Length;
        return new Vec2(dp * w.Y, dp * w.X);
    }

    /// <summary>Four start points of the gradient-flow trajectories drawn in Fig. 3.</summary>
    public override IReadOnlyList<Vec2> Starts { get; } = [new(1.2, -0.9), new(-1.0, 1.3), new(-1.7, 0.5), new(-0.2, -1.9)];
    /// <summary>Duration 10 of those trajectories (enough to approach the hyperbola of minima).</summary>
    public override double FlowDuration => 10;

    // Hyperbolas w1² − w2² = q: branches w1 = ±√(q + w2²) for q ≥ 0, w2 = ±√(w1² − q) for q < 0.
    /// <summary>The level set {w : Q(w) = q} inside [−extent, extent]², as polylines: the two branches of the hyperbola w1² − w2² = q.</summary>
    /// <param name="q">The value of the conserved quantity.</param>
    /// <param name="extent">Half-width of the square.</param>
    /// <returns>The level set's curves.</returns>
    public override IEnumerable<Vec2[]> LevelSet(double q, double extent) => q >= 0
        ? [Curve(s => new(Math.Sqrt(q + s * s), s), -extent, extent, extent), Curve(s => new(-Math.Sqrt(q + s * s), s), -extent, extent, extent)]
        : [Curve(s => new(s, Math.Sqrt(s * s - q)), -extent, extent, extent), Curve(s => new(s, -Math.Sqrt(s * s - q)), -extent, extent, extent)];

    /// <summary>Generator of the rescale symmetry: the field θ_A1 − θ_A2 = (w1, −w2).</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>(w1, −w2).</returns>
    public override Vec2 Generator(Vec2 w) => new(w.X, -w.Y);
    /// <summary>The quantity conserved by gradient flow: Q = w1² − w2².</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>w1² − w2².</returns>
    public override double Conserved(Vec2 w) => w.X * w.X - w.Y * w.Y;
}
