using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Toys;

/// <summary>
/// Scale toy: a BatchNorm neuron BN([w1 w2][x1 x2]ᵀ) on a batch of four inputs
/// x1 = (1, 2, −1, 0.5), x2 = (0.5, −1, 1, 2), loss ½·mean((BN(z) − t)²) with target
/// t = (1, −1, 0.5, −0.5). BN(z) = (z − mean z)/std z (population std, ε = 0, so the symmetry is
/// exact): L(αw) = L(w) for α &gt; 0. Undefined at w = 0.
/// </summary>
public sealed class BatchNormNeuron : SymmetricToy
{
    private static readonly double[] X1 = [1, 2, -1, 0.5];
    private static readonly double[] X2 = [0.5, -1, 1, 2];
    private static readonly double[] Target = [1, -1, 0.5, -0.5];

    public override string Title => "scale: BatchNorm neuron BN(w1·x1 + w2·x2)";
    public override SymmetryKind Kind => SymmetryKind.Scale;
    public override string Description => "½·mean((BN(w1·x1 + w2·x2) − t)²) on a batch of 4, ε = 0";

    public override bool IsDefined(Vec2 w) => w.Length > 1e-9;

    private static double[] Centered(double[] x)
    {
        double mean = x.Average();
        return [.. x.Select(v => v - mean)];
    }

    private static readonly double[] C1 = Centered(X1);
    private static readonly double[] C2 = Centered(X2);

    // u = centred pre-activation; BN(z) = √N·u/|u|.
    private static double[] U(Vec2 w) => [.. C1.Select((c, i) => w.X * c + w.Y * C2[i])];

    public override double Loss(Vec2 w)
    {
        var u = U(w);
        double norm = Math.Sqrt(u.Sum(v => v * v)), root = Math.Sqrt(u.Length);
        return u.Select((v, i) => Math.Pow(root * v / norm - Target[i], 2)).Sum() / (2 * u.Length);
    }

    public override Vec2 Gradient(Vec2 w)
    {
        var u = U(w);
        int n = u.Length;
        double norm = Math.Sqrt(u.Sum(v => v * v)), root = Math.Sqrt(n);
        // ∂L/∂u = (1/N)·(√N/|u|)·(I − ûûᵀ)(BN − t) = −(1/(√N|u|))·(I − ûûᵀ)t, since (I − ûûᵀ)BN = 0.
        double ut = u.Select((v, i) => v * Target[i]).Sum() / norm;
        double[] du = [.. u.Select((v, i) => -(Target[i] - ut * v / norm) / (root * norm))];
        return new Vec2(du.Select((d, i) => d * C1[i]).Sum(), du.Select((d, i) => d * C2[i]).Sum());
    }

    public override IReadOnlyList<Vec2> Starts { get; } = [new(-1.6, 0.4), new(0.3, -0.9), new(1.2, 1.2), new(-0.5, -1.7)];
    public override double FlowDuration => 10;

    // Circles of radius √q.
    public override IEnumerable<Vec2[]> LevelSet(double q, double extent) =>
        q <= 0 ? [] : [Curve(s => Math.Sqrt(q) * new Vec2(Math.Cos(s), Math.Sin(s)), 0, 2 * Math.PI, extent)];

    public override Vec2 Generator(Vec2 w) => w;
    public override double Conserved(Vec2 w) => w.Dot(w);
}
