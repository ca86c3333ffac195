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

    /// <summary>Panel title: scale, BatchNorm neuron.</summary>
    public override string Title => "scale: BatchNorm neuron BN(w1·x1 + w2·x2)";
    /// <summary>Scale: L(αw) = L(w) for α &gt; 0.</summary>
    public override SymmetryKind Kind => SymmetryKind.Scale;
    /// <summary>The BatchNorm neuron, its batch of 4 and the squared-error loss, in one line.</summary>
    public override string Description => "½·mean((BN(w1·x1 + w2·x2) − t)²) on a batch of 4, ε = 0";

    /// <summary>Whether the loss is defined at w: everywhere but w = 0, where BN divides by a zero std.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>True when |w| &gt; 1e-9.</returns>
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

    /// <summary>Training loss ½·mean((BN(w1·x1 + w2·x2) − t)²) on the batch of four.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The loss.</returns>
    public override double Loss(Vec2 w)
    {
        var u = U(w);
        double norm = Math.Sqrt(u.Sum(v => v * v)), root = Math.Sqrt(u.Length);
        return u.Select((v, i) => Math.Pow(root * v / norm - Target[i], 2)).Sum() / (2 * u.Length);
    }

    /// <summary>Gradient ∂L/∂(w1, w2), written out by hand (orthogonal to w).</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The gradient.</returns>
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

    /// <summary>Four start points of the gradient-flow trajectories drawn in Fig. 3.</summary>
    public override IReadOnlyList<Vec2> Starts { get; } = [new(-1.6, 0.4), new(0.3, -0.9), new(1.2, 1.2), new(-0.5, -1.7)];
    /// <summary>Duration 10 of those trajectories (enough to approach the minimum set).</summary>
    public override double FlowDuration => 10;

    // Circles of radius √q.
    /// <summary>The level set {w : Q(w) = q} inside [−extent, extent]², as polylines: the circle of radius √q (none for q ≤ 0).</summary>
    /// <param name="q">The value of the conserved quantity.</param>
    /// <param name="extent">Half-width of the square.</param>
    /// <returns>The level set's curves.</returns>
    public override IEnumerable<Vec2[]> LevelSet(double q, double extent) =>
        q <= 0 ? [] : [Curve(s => Math.Sqrt(q) * new Vec2(Math.Cos(s), Math.Sin(s)), 0, 2 * Math.PI, extent)];

    /// <summary>Generator of the scale symmetry: the field θ_A = w.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>w.</returns>
    public override Vec2 Generator(Vec2 w) => w;
    /// <summary>The quantity conserved by gradient flow: Q = |w|².</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>w1² + w2².</returns>
    public override double Conserved(Vec2 w) => w.Dot(w);
}
