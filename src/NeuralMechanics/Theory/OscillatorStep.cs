namespace NeuralMechanics.Theory;

/// <summary>
/// Exact propagation of x'' + 2γx' + ω²x = f over one time step h with f constant on the step:
/// (x, x') ← E·(x, x') + f·b, where [[E, b], [0, 1]] = exp(h·[[0, 1, 0], [−ω², −2γ, 1], [0, 0, 0]]).
/// The 3×3 exponential is taken once by scaling and squaring of its Taylor series, which is
/// accurate to rounding in every damping regime (no branch, no division by μ). E − I is kept
/// instead of E (squaring as N ← N² + 2N), because E₁₁ = 1 − O(ω²h²) and its rounding would
/// otherwise shift the long-run level of x by ε/(ω²h²).
/// </summary>
public sealed class OscillatorStep
{
    private readonly double _n11, _n12, _n21, _n22, _b1, _b2;

    /// <summary>Builds the one-step propagator of <paramref name="oscillator"/> for step length <paramref name="h"/> ≥ 0.</summary>
    public OscillatorStep(DampedOscillator oscillator, double h)
    {
        if (!(h >= 0) || double.IsInfinity(h)) throw new ArgumentOutOfRangeException(nameof(h), h, "expected a finite step ≥ 0");
        var a = new double[3, 3];
        a[0, 1] = h;
        a[1, 0] = -oscillator.Omega * oscillator.Omega * h;
        a[1, 1] = -2 * oscillator.Gamma * h;
        a[1, 2] = h;
        var m = ExpMinusIdentity(a);
        (_n11, _n12, _n21, _n22, _b1, _b2) = (m[0, 0], m[0, 1], m[1, 0], m[1, 1], m[0, 2], m[1, 2]);
    }

    /// <summary>
    /// Advances (x, x') by one step under constant forcing f; x is held as the compensated sum
    /// x + xLow so that its small per-step changes are not lost to rounding.
    /// </summary>
    public void Advance(ref double x, ref double xLow, ref double dx, double f)
    {
        double value = x + xLow;
        double deltaX = _n11 * value + _n12 * dx + _b1 * f;
        dx += _n21 * value + _n22 * dx + _b2 * f;
        AccurateArithmetic.AddTo(ref x, ref xLow, deltaX);
    }

    private static double[,] ExpMinusIdentity(double[,] a)
    {
        double norm = 0;
        for (int i = 0; i < 3; i++)
        {
            double row = 0;
            for (int j = 0; j < 3; j++) row += Math.Abs(a[i, j]);
            norm = Math.Max(norm, row);
        }
        int squarings = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        double scale = Math.Pow(2, -squarings);
        var s = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) s[i, j] = a[i, j] * scale;
        // ‖s‖ ≤ 1/2: 24 Taylor terms leave a remainder below 2^-24/24!, far under rounding.
        var result = new double[3, 3];
        var term = Identity();
        for (int k = 1; k <= 24; k++)
        {
            term = Multiply(term, s);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    term[i, j] /= k;
                    result[i, j] += term[i, j];
                }
        }
        // e^{2B} − I = N² + 2N with N = e^B − I.
        for (int q = 0; q < squarings; q++)
        {
            var square = Multiply(result, result);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) square[i, j] += 2 * result[i, j];
            result = square;
        }
        return result;
    }

    private static double[,] Identity() => new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

    private static double[,] Multiply(double[,] x, double[,] y)
    {
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double sum = 0;
                for (int k = 0; k < 3; k++) sum += x[i, k] * y[k, j];
                r[i, j] = sum;
            }
        return r;
    }
}
