using System.Globalization;

namespace NeuralMechanics.Reporting;

/// <summary>How numbers and names appear in figures and the report.</summary>
internal static class Labels
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A hyperparameter as the paper writes it: 0, 0.9, 5×10⁻⁴, 10⁻³.</summary>
    public static string Number(double x)
    {
        if (x == 0 || (Math.Abs(x) >= 0.01 && Math.Abs(x) < 1e4)) return x.ToString("G6", Invariant);
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        var mantissa = Math.Round(x / Math.Pow(10, exponent), 4);
        var power = Panel.Decade(exponent);
        return mantissa == 1 ? power : $"{mantissa.ToString("G4", Invariant)}×{power}";
    }

    /// <summary>An error or statistic: <see cref="Numbers.Scientific"/>, the format the CLI prints too.</summary>
    public static string Scientific(double x) => Numbers.Scientific(x);

    /// <summary>An integer with thousands separators (8,323).</summary>
    public static string Count(long n) => n.ToString("N0", Invariant);

    /// <summary>A name usable in a file name: letters, digits, '.', '_', '-'.</summary>
    public static string FileName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')).Trim('-', '.');

    /// <summary>A predictor column as a legend names it.</summary>
    public static string Predictor(string predictor) => predictor switch
    {
        "gradient_flow" => "gradient flow",
        "continuous" => "continuous",
        "discrete" => "exact discrete",
        _ => predictor.Replace('_', ' '),
    };

    /// <summary>The continuous prediction's name and equations for a kind.</summary>
    public static string ContinuousPrediction(string kind, bool momentum) => (kind, momentum) switch
    {
        ("translation", false) => "modified flow (eq. 18)",
        ("scale", false) => "modified flow (eq. 19)",
        ("rescale", false) => "modified flow (eq. 20)",
        ("translation", true) => "damped oscillator (eq. 34)",
        _ => "damped oscillator (eq. 36–37)",
    };
}
