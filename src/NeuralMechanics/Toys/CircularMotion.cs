namespace NeuralMechanics.Toys;

/// <summary>
/// Paper Fig. 7: ẋ = f(x) = [[0, −1], [1, 0]]x from x₀ = (1, 0). Explicit Euler spirals outwards
/// by √(1+η²) per step; the modified flow ẋ = f(x) + (η/2)x follows it to second order.
/// </summary>
public static class CircularMotion
{
    /// <summary>The start x₀ = (1, 0) of the paper.</summary>
    public static readonly Vec2 Start = new(1, 0);

    /// <summary>f(x) = (−x₂, x₁).</summary>
    public static Vec2 Field(Vec2 x) => new(-x.Y, x.X);

    /// <summary>Explicit Euler x ← x + ηf(x): steps + 1 points.</summary>
    public static Vec2[] Euler(double eta, int steps)
    {
        var x = new Vec2[steps + 1];
        x[0] = Start;
        for (int n = 0; n < steps; n++) x[n + 1] = x[n] + eta * Field(x[n]);
        return x;
    }

    /// <summary>Exact flow: rotation by angle t.</summary>
    public static Vec2 Exact(double t) => new(Math.Cos(t), Math.Sin(t));

    /// <summary>Modified flow ẋ = f(x) + (η/2)x: rotation by t with radius e^{ηt/2}.</summary>
    public static Vec2 Modified(double eta, double t) => Math.Exp(eta * t / 2) * Exact(t);
}
