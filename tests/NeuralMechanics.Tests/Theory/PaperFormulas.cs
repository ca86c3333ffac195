namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// The paper's oscillator solutions (eq. 34/37 divided by x(0), Appendix H.2–H.3) written out
/// branch by branch, valid where cosh/sinh do not overflow.
/// </summary>
internal static class PaperFormulas
{
    /// <summary>x(t) for x(0) = 1, x'(0) = 0.</summary>
    public static double Free(double g, double w, double t) =>
        g > w ? Math.Exp(-g * t) * (Math.Cosh(Math.Sqrt(g * g - w * w) * t) + g / Math.Sqrt(g * g - w * w) * Math.Sinh(Math.Sqrt(g * g - w * w) * t))
        : g == w ? Math.Exp(-g * t) * (1 + g * t)
        : Math.Exp(-g * t) * (Math.Cos(Math.Sqrt(w * w - g * g) * t) + g / Math.Sqrt(w * w - g * g) * Math.Sin(Math.Sqrt(w * w - g * g) * t));

    /// <summary>Green's function G(t).</summary>
    public static double Green(double g, double w, double t) =>
        g > w ? Math.Exp(-g * t) * Math.Sinh(Math.Sqrt(g * g - w * w) * t) / Math.Sqrt(g * g - w * w)
        : g == w ? Math.Exp(-g * t) * t
        : Math.Exp(-g * t) * Math.Sin(Math.Sqrt(w * w - g * g) * t) / Math.Sqrt(w * w - g * g);

    /// <summary>
    /// Free solution in Appendix H.2's exponential form C1·e^{r₊t} + C2·e^{r₋t} (overdamped), which
    /// stays finite for any t.
    /// </summary>
    public static double FreeExponential(double g, double w, double t)
    {
        double mu = Math.Sqrt(g * g - w * w);
        double c1 = (g + mu) / (2 * mu), c2 = (-g + mu) / (2 * mu);
        return c1 * Math.Exp((-g + mu) * t) + c2 * Math.Exp((-g - mu) * t);
    }
}
