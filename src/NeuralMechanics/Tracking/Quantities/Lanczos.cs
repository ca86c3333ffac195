using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The largest (algebraic, not absolute) eigenvalue of a symmetric operator A given only as products
/// A·q, by Lanczos with full reorthogonalisation: after j products the Ritz pair (θ, y) is the top
/// eigenpair of the j×j tridiagonal Tⱼ = QⱼᵀAQⱼ, and its residual r = |Ay − θy| = βⱼ|sⱼ| (s the eigenvector
/// of Tⱼ) costs no product. θ ≤ λ₁ always (a Rayleigh quotient), and by Kato–Temple λ₁ − θ ≤ r²/(θ − λ₂);
/// with λ₂ estimated by the second Ritz value θ₂ the error estimate is r²/(θ − θ₂), which falls as the
/// square of the residual. It stops when that estimate (r itself after one product, with no θ₂ yet) is at
/// most <c>tolerance</c>·|θ|, or after <c>maxIterations</c> products. Warm-started from the last
/// eigenvector, it needs one or two products while the top eigenvector moves slowly.
/// </summary>
internal static class Lanczos
{
    /// <summary>The top Ritz pair and how it was reached.</summary>
    /// <param name="Value">θ, the estimate of λ_max.</param>
    /// <param name="Vector">y, unit norm, in the start vector's dtype and device (the caller owns it).</param>
    /// <param name="Iterations">Products A·q taken.</param>
    /// <param name="Residual">|Ay − θy|/|θ| (0 when the Krylov space is invariant).</param>
    internal sealed record Result(double Value, Tensor Vector, int Iterations, double Residual);

    /// <summary>The top eigenpair of <paramref name="apply"/> from <paramref name="start"/> (1-D, not zero).</summary>
    public static Result Top(Func<Tensor, Tensor> apply, Tensor start, double tolerance, int maxIterations)
    {
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "expected at least 1");
        var basis = new List<Tensor>();
        var alpha = new List<double>();
        var beta = new List<double>();
        Tensor q;
        using (TorchSharp.Scalar startNorm = Norm(start)) q = start / startNorm;
        double theta = 0, residual = double.PositiveInfinity;
        double[] s = [1];
        for (int j = 0; j < maxIterations; j++)
        {
            basis.Add(q);
            var w = apply(q);
            double a = Dot(w, q);
            alpha.Add(a);
            // Full reorthogonalisation, twice (classical Gram–Schmidt is then as good as modified).
            for (int pass = 0; pass < 2; pass++)
                foreach (var b in basis)
                {
                    using TorchSharp.Scalar c = -Dot(w, b);
                    w.add_(b, alpha: c);
                }
            double next = Norm(w);
            (theta, s, double second) = TopOfTridiagonal(alpha, beta);
            residual = next * Math.Abs(s[^1]);
            beta.Add(next);
            // θ₂ ≤ λ₂ (interlacing) while it converges, so the gap is at worst overestimated early on.
            double error = double.IsNaN(second) || theta <= second ? residual : residual * residual / (theta - second);
            if (error <= tolerance * Math.Abs(theta) || next <= 1e-300) break;
            using TorchSharp.Scalar inverse = 1 / next;
            q = w.mul(inverse);
        }
        var y = zeros_like(start);
        for (int i = 0; i < s.Length; i++)
        {
            using TorchSharp.Scalar c = s[i];
            y.add_(basis[i], alpha: c);
        }
        using (TorchSharp.Scalar yNorm = Norm(y)) y = y / yNorm;
        return new Result(theta, y, alpha.Count, theta == 0 ? residual : residual / Math.Abs(theta));
    }

    private static double Dot(Tensor a, Tensor b) => a.dot(b).to(ScalarType.Float64).ReadDouble();

    private static double Norm(Tensor a) => Math.Sqrt(Dot(a, a));

    /// <summary>
    /// The largest eigenvalue of the symmetric tridiagonal matrix with diagonal <paramref name="alpha"/>
    /// and off-diagonal <paramref name="beta"/> (one shorter), its unit eigenvector and the second largest
    /// eigenvalue (NaN for a 1×1 matrix), by cyclic Jacobi rotations (the matrix is at most a few dozen wide).
    /// </summary>
    internal static (double Value, double[] Vector, double Second) TopOfTridiagonal(IReadOnlyList<double> alpha, IReadOnlyList<double> beta)
    {
        int n = alpha.Count;
        var a = new double[n, n];
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            a[i, i] = alpha[i];
            v[i, i] = 1;
            if (i + 1 < n) a[i, i + 1] = a[i + 1, i] = beta[i];
        }
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, scale = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (i != j) off += a[i, j] * a[i, j];
                    else scale += a[i, i] * a[i, i];
            if (off <= 1e-32 * Math.Max(scale, double.Epsilon)) break;
            for (int p = 0; p < n - 1; p++)
                for (int r = p + 1; r < n; r++)
                {
                    if (a[p, r] == 0) continue;
                    double tau = (a[r, r] - a[p, p]) / (2 * a[p, r]);
                    double t = Math.Sign(tau == 0 ? 1 : tau) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                    double c = 1 / Math.Sqrt(1 + t * t), sn = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akr = a[k, r];
                        a[k, p] = c * akp - sn * akr;
                        a[k, r] = sn * akp + c * akr;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], ark = a[r, k];
                        a[p, k] = c * apk - sn * ark;
                        a[r, k] = sn * apk + c * ark;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkr = v[k, r];
                        v[k, p] = c * vkp - sn * vkr;
                        v[k, r] = sn * vkp + c * vkr;
                    }
                }
        }
        int top = 0;
        for (int i = 1; i < n; i++)
            if (a[i, i] > a[top, top]) top = i;
        var vector = new double[n];
        for (int k = 0; k < n; k++) vector[k] = v[k, top];
        double second = double.NaN;
        for (int i = 0; i < n; i++)
            if (i != top && !(a[i, i] <= second)) second = a[i, i];
        return (a[top, top], vector, second);
    }
}
