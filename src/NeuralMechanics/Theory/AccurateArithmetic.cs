namespace NeuralMechanics.Theory;

/// <summary>
/// The few double-precision tools that keep 10⁶-step predictions exact: functions that do not
/// cancel near 0, and compensated addition. A recurrence Q ← Q + δ with |δ| ≪ |Q| otherwise
/// stalls anywhere within ε/(decay per step) of its fixed point (1e-10 at λη = 1e-6).
/// </summary>
internal static class AccurateArithmetic
{
    /// <summary>(e^z − 1)/z, 1 at z = 0, without cancellation for small z.</summary>
    public static double Phi1(double z)
    {
        if (Math.Abs(z) >= 0.5) return (Math.Exp(z) - 1) / z;
        // Σ z^k/(k+1)!: 20 terms reach 1e-25 for |z| < 1/2.
        double sum = 1, term = 1;
        for (int k = 1; k <= 20; k++)
        {
            term *= z / (k + 1);
            sum += term;
        }
        return sum;
    }

    /// <summary>ln(1 + x) accurate for small x (Goldberg's correction of the rounded 1 + x).</summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>(1 + x)ⁿ for whole n ≥ 0, via e^{n·ln(1+x)} so that the rounding of 1 + x is not raised to the n-th power.</summary>
    public static double PowOnePlus(double x, double n) => n == 0 ? 1 : Math.Exp(n * Log1P(x));

    /// <summary>Adds <paramref name="delta"/> to the unevaluated sum hi + lo (TwoSum, then renormalise).</summary>
    public static void AddTo(ref double hi, ref double lo, double delta)
    {
        double s = hi + delta;
        double bp = s - hi;
        lo += (hi - (s - bp)) + (delta - bp);
        double t = s + lo;
        lo -= t - s;
        hi = t;
    }
}
