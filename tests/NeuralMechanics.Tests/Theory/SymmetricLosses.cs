namespace NeuralMechanics.Tests.Theory;

/// <summary>One symmetry group of a flat parameter vector: indices of A (or A1) and, for rescale, A2.</summary>
internal sealed record Group(int[] A1, int[] A2)
{
    public double Q(double[] x, bool translation) =>
        translation ? A1.Sum(i => x[i]) : A1.Sum(i => x[i] * x[i]) - A2.Sum(i => x[i] * x[i]);

    public double Norm2(double[] x) => A1.Sum(i => x[i] * x[i]) + A2.Sum(i => x[i] * x[i]);
}

/// <summary>
/// Small losses with an exact symmetry and hand-written gradients. Each step draws a new random
/// "batch" (targets/inputs), so the symmetry must hold for every batch, as in SGD.
/// </summary>
internal abstract class SymmetricLoss
{
    public abstract Group[] Groups { get; }
    public abstract double[] Initial(Random rng);
    /// <summary>Gradient of the batch loss of step <paramref name="step"/> (no weight decay).</summary>
    public abstract double[] Gradient(double[] theta, int step);
}

/// <summary>Scale: L = ½|a/|a| − y|² + s⟨a/|a|, b/|b|⟩ with a, b ∈ R³ two groups; y, s random per step.</summary>
internal sealed class ScaleLoss : SymmetricLoss
{
    public override Group[] Groups { get; } = [new([0, 1, 2], []), new([3, 4, 5], [])];

    public override double[] Initial(Random rng) => [.. Enumerable.Range(0, 6).Select(_ => rng.NextDouble() * 2 - 1)];

    public override double[] Gradient(double[] theta, int step)
    {
        var rng = new Random(1000 + step);
        double[] y = [rng.NextDouble(), rng.NextDouble() - 0.5, rng.NextDouble()];
        double s = rng.NextDouble() * 2 - 1;
        double na = Math.Sqrt(theta[0] * theta[0] + theta[1] * theta[1] + theta[2] * theta[2]);
        double nb = Math.Sqrt(theta[3] * theta[3] + theta[4] * theta[4] + theta[5] * theta[5]);
        var u = new double[3];
        var w = new double[3];
        for (int i = 0; i < 3; i++) { u[i] = theta[i] / na; w[i] = theta[3 + i] / nb; }
        var du = new double[3];
        var dw = new double[3];
        for (int i = 0; i < 3; i++) { du[i] = u[i] - y[i] + s * w[i]; dw[i] = s * u[i]; }
        var g = new double[6];
        Project(u, du, na, g, 0);
        Project(w, dw, nb, g, 3);
        return g;
    }

    // ∂L/∂a = (I − uuᵀ)∂L/∂u / |a|
    private static void Project(double[] u, double[] du, double norm, double[] g, int offset)
    {
        double dot = u[0] * du[0] + u[1] * du[1] + u[2] * du[2];
        for (int i = 0; i < 3; i++) g[offset + i] = (du[i] - dot * u[i]) / norm;
    }
}

/// <summary>
/// Rescale: y = W2·relu(W1x + b1) with W1 2×3, b1 2, W2 2×2, L = ½|y − target|² on a random batch of 4.
/// Group j: A1 = (row j of W1, b1_j), A2 = column j of W2. Layout: W1 (0..5), b1 (6..7), W2 (8..11, row-major).
/// </summary>
internal sealed class RescaleLoss : SymmetricLoss
{
    public override Group[] Groups { get; } = [new([0, 1, 2, 6], [8, 10]), new([3, 4, 5, 7], [9, 11])];

    public override double[] Initial(Random rng) => [.. Enumerable.Range(0, 12).Select(_ => rng.NextDouble() * 2 - 1)];

    public override double[] Gradient(double[] theta, int step)
    {
        var rng = new Random(2000 + step);
        var g = new double[12];
        const int batch = 4;
        for (int s = 0; s < batch; s++)
        {
            double[] x = [rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1];
            double[] target = [rng.NextDouble(), rng.NextDouble() - 0.5];
            var pre = new double[2];
            var h = new double[2];
            for (int j = 0; j < 2; j++)
            {
                pre[j] = theta[3 * j] * x[0] + theta[3 * j + 1] * x[1] + theta[3 * j + 2] * x[2] + theta[6 + j];
                h[j] = Math.Max(0, pre[j]);
            }
            var r = new double[2];
            for (int k = 0; k < 2; k++) r[k] = (theta[8 + 2 * k] * h[0] + theta[9 + 2 * k] * h[1] - target[k]) / batch;
            for (int k = 0; k < 2; k++)
                for (int j = 0; j < 2; j++) g[8 + 2 * k + j] += r[k] * h[j];
            for (int j = 0; j < 2; j++)
            {
                if (pre[j] <= 0) continue;
                double back = r[0] * theta[8 + j] + r[1] * theta[10 + j];
                for (int i = 0; i < 3; i++) g[3 * j + i] += back * x[i];
                g[6 + j] += back;
            }
        }
        return g;
    }
}

/// <summary>
/// Translation: softmax cross-entropy of z = Wx + b, W 3×2 (row-major), b 3, on a random batch of 4.
/// Groups: column 0 of W, column 1 of W, b.
/// </summary>
internal sealed class TranslationLoss : SymmetricLoss
{
    public override Group[] Groups { get; } = [new([0, 2, 4], []), new([1, 3, 5], []), new([6, 7, 8], [])];

    public override double[] Initial(Random rng) => [.. Enumerable.Range(0, 9).Select(_ => rng.NextDouble() * 2 - 1)];

    public override double[] Gradient(double[] theta, int step)
    {
        var rng = new Random(3000 + step);
        var g = new double[9];
        const int batch = 4;
        for (int s = 0; s < batch; s++)
        {
            double[] x = [rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1];
            int label = rng.Next(3);
            var z = new double[3];
            for (int k = 0; k < 3; k++) z[k] = theta[2 * k] * x[0] + theta[2 * k + 1] * x[1] + theta[6 + k];
            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            for (int k = 0; k < 3; k++)
            {
                double dz = (Math.Exp(z[k] - max) / sum - (k == label ? 1 : 0)) / batch;
                g[2 * k] += dz * x[0];
                g[2 * k + 1] += dz * x[1];
                g[6 + k] += dz;
            }
        }
        return g;
    }
}
