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

    public override string Title => "rescale: linear path w2·w1·x";
    public override SymmetryKind Kind => SymmetryKind.Rescale;
    public override string Description => "½·mean((w2·w1·x − y)²) with x = (1, 2), y = (1, 2)";

    public override double Loss(Vec2 w) =>
        Inputs.Select((x, i) => Math.Pow(w.Y * w.X * x - Targets[i], 2)).Sum() / (2 * Inputs.Length);

    public override Vec2 Gradient(Vec2 w)
    {
        // ∂L/∂(w2w1) = mean((w2w1x − y)x); chain rule to w1 (times w2) and w2 (times w1).
        double dp = Inputs.Select((x, i) => (w.Y * w.X * x - Targets[i]) * x).Sum() / Inputs.Length;
        return new Vec2(dp * w.Y, dp * w.X);
    }

    public override IReadOnlyList<Vec2> Starts { get; } = [new(1.2, -0.9), new(-1.0, 1.3), new(-1.7, 0.5), new(-0.2, -1.9)];
    public override double FlowDuration => 10;

    // Hyperbolas w1² − w2² = q: branches w1 = ±√(q + w2²) for q ≥ 0, w2 = ±√(w1² − q) for q < 0.
    public override IEnumerable<Vec2[]> LevelSet(double q, double extent) => q >= 0
        ? [Curve(s => new(Math.Sqrt(q + s * s), s), -extent, extent, extent), Curve(s => new(-Math.Sqrt(q + s * s), s), -extent, extent, extent)]
        : [Curve(s => new(s, Math.Sqrt(s * s - q)), -extent, extent, extent), Curve(s => new(s, -Math.Sqrt(s * s - q)), -extent, extent, extent)];

    public override Vec2 Generator(Vec2 w) => new(w.X, -w.Y);
    public override double Conserved(Vec2 w) => w.X * w.X - w.Y * w.Y;
}
