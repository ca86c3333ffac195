namespace NeuralMechanics.Reporting;

/// <summary>A figure of the report: the files written, or why it was skipped.</summary>
/// <param name="Id">File stem and anchor, e.g. "translation" or "neurons-scale-run1".</param>
/// <param name="Title">Heading in the report.</param>
/// <param name="Caption">What is plotted (one paragraph).</param>
/// <param name="PngPath">The PNG file, null when skipped.</param>
/// <param name="SvgPath">The SVG file, null when skipped.</param>
/// <param name="SkipReason">Why no figure was drawn (the runs have no data for it); null when drawn.</param>
public sealed record ReportFigure(string Id, string Title, string Caption, string? PngPath, string? SvgPath, string? SkipReason)
{
    /// <summary>True when the figure was written.</summary>
    public bool IsWritten => SkipReason is null;

    internal static ReportFigure Written(string id, string title, string caption, (string Png, string Svg) files) =>
        new(id, title, caption, files.Png, files.Svg, null);

    internal static ReportFigure Skipped(string id, string title, string reason) =>
        new(id, title, "", null, null, reason);
}
