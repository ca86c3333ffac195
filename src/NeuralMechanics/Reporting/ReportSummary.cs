namespace NeuralMechanics.Reporting;

/// <summary>What <see cref="Reporter.Write"/> wrote.</summary>
/// <param name="MarkdownPath">report.md.</param>
/// <param name="HtmlPath">report.html (self-contained).</param>
/// <param name="FigureFiles">Every PNG and SVG written, in report order.</param>
/// <param name="Figures">Every figure, written or skipped (with the reason).</param>
/// <param name="Errors">The prediction-error table.</param>
/// <param name="SkippedInputs">A note per given path that is not a run or sweep folder (skipped).</param>
public sealed record ReportSummary(
    string MarkdownPath,
    string HtmlPath,
    IReadOnlyList<string> FigureFiles,
    IReadOnlyList<ReportFigure> Figures,
    IReadOnlyList<PredictionErrorRow> Errors,
    IReadOnlyList<string> SkippedInputs);
