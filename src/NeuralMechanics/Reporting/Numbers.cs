using System.Globalization;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The one format of errors, residuals and tolerances, wherever they are printed (the CLI's tables,
/// the report, its figures): three significant digits in scientific notation, <c>4.60e-8</c>, the
/// same in every culture.
/// </summary>
internal static class Numbers
{
    /// <summary><c>4.60e-8</c>, <c>1.23e+3</c>; 0 is <c>0</c>, NaN <c>n/a</c>, ±∞ <c>∞</c>/<c>-∞</c>.</summary>
    public static string Scientific(double x) =>
        double.IsNaN(x) ? "n/a" : double.IsPositiveInfinity(x) ? "∞" : double.IsNegativeInfinity(x) ? "-∞" : x == 0 ? "0"
            : x.ToString("0.00e+0", CultureInfo.InvariantCulture);
}
