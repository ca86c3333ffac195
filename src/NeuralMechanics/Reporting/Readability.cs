namespace NeuralMechanics.Reporting;

/// <summary>
/// Whether a figure of absolute values shows anything: when every measured curve changes by less
/// than a small fraction of its panel's axis (short runs, where the change is far smaller than the
/// value), the curves are flat lines at their offsets and only the change figures can be read.
/// </summary>
internal static class Readability
{
    /// <summary>A figure is drawn when some curve of some panel spans at least this fraction of its panel's axis.</summary>
    public const double MinimumVisibleChange = 0.05;

    /// <summary>Null when the panels show a change; otherwise the reason to skip them, naming the figure to read instead.</summary>
    public static string? Unreadable(IReadOnlyList<Panel> panels, string instead) =>
        panels.Count == 0 || panels.Max(p => p.VisibleChange()) >= MinimumVisibleChange ? null
            : $"every curve changes by less than {(100 * MinimumVisibleChange).ToString("0", System.Globalization.CultureInfo.InvariantCulture)} % of its panel's axis over the run, so on an axis that shows the values " +
              $"the change cannot be seen; see {instead}";
}
