namespace NeuralMechanics.Toys;

/// <summary>A point or vector of the plane (w1, w2).</summary>
public readonly record struct Vec2(double X, double Y)
{
    /// <summary>Sum of two vectors.</summary>
    public static Vec2 operator +(Vec2 a, Vec2 b) => new(a.X + b.X, a.Y + b.Y);
    /// <summary>Difference of two vectors.</summary>
    public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);
    /// <summary>The opposite vector.</summary>
    public static Vec2 operator -(Vec2 a) => new(-a.X, -a.Y);
    /// <summary>The vector scaled by <paramref name="c"/>.</summary>
    public static Vec2 operator *(double c, Vec2 a) => new(c * a.X, c * a.Y);

    /// <summary>Euclidean inner product.</summary>
    public double Dot(Vec2 other) => X * other.X + Y * other.Y;

    /// <summary>Euclidean norm.</summary>
    public double Length => Math.Sqrt(X * X + Y * Y);
}
