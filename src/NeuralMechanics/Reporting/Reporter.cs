using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Turns run folders into the paper's figures and a report with numbers (<c>nmech report</c>):
/// <c>report.md</c>, a self-contained <c>report.html</c> and <c>figures/*.png|svg</c>.
/// </summary>
public static class Reporter
{
    /// <summary>Name of the Markdown report in the output folder.</summary>
    public const string MarkdownFile = "report.md";
    /// <summary>Name of the HTML report in the output folder.</summary>
    public const string HtmlFile = "report.html";
    /// <summary>Folder of the figure files inside the output folder.</summary>
    public const string FiguresFolder = "figures";

    /// <summary>
    /// Reads every run (a folder holding <c>manifest.json</c>; a sweep folder stands for each of its
    /// subfolders that holds one) and writes the figures and the report to <paramref name="outDir"/>.
    /// Paths that are neither (a sweep's sweep.json, as <c>sweep/*</c> passes it) are skipped with a note.
    /// Every file is written atomically. A figure the runs have no data for is skipped, with the reason
    /// in the report.
    /// </summary>
    /// <exception cref="InvalidInputException">A folder is missing, no path is a run or a sweep, or a run holds a malformed manifest, status or table (the message names the path).</exception>
    public static ReportSummary Write(IReadOnlyList<string> runDirs, string outDir)
    {
        var (inputs, skipped) = RunInputs.Resolve(runDirs);
        var runs = inputs.Select(r => ReportRun.Load(r.Name, r.Root)).ToList();
        Directory.CreateDirectory(outDir);
        var figures = FigureSet.Build(runs, Path.Combine(outDir, FiguresFolder));
        var errors = runs.SelectMany(PredictionErrors.Of).ToList();
        var blocks = ReportContent.Build(runs, figures, errors, skipped);
        var markdown = Path.Combine(outDir, MarkdownFile);
        AtomicFile.WriteAllText(markdown, MarkdownWriter.Write(blocks, outDir));
        var html = Path.Combine(outDir, HtmlFile);
        AtomicFile.WriteAllText(html, HtmlWriter.Write(blocks));
        var files = figures.Where(f => f.IsWritten).SelectMany(f => new[] { f.PngPath!, f.SvgPath! }).ToList();
        return new ReportSummary(markdown, html, files, figures, errors, skipped);
    }
}
