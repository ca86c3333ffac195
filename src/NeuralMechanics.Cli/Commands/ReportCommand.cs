using System.CommandLine;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Reporting;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary><c>nmech report RUN_DIR... [--out DIR]</c>: the paper's figures and a report with numbers from run folders.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runDirs = RunFolderArgument.Create();
        var outDir = new Option<string>("--out")
        {
            Description = "Output folder for report.md, report.html and figures/",
            HelpName = "DIR",
            DefaultValueFactory = _ => "report",
        };
        var cmd = new Command("report", "Draw the paper's figures (PNG, SVG) from run folders and write report.md and a self-contained report.html with settings, symmetry counts and prediction errors")
        {
            runDirs, outDir,
        };
        cmd.SetAction(parse =>
        {
            var summary = Reporter.Write(parse.GetValue(runDirs)!, parse.GetValue(outDir)!);
            foreach (var note in summary.SkippedInputs)
                AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
            var written = summary.Figures.Count(f => f.IsWritten);
            AnsiConsole.MarkupLineInterpolated($"wrote [bold]{summary.MarkdownPath}[/], [bold]{summary.HtmlPath}[/] and {written} figure(s) (PNG + SVG)");
            foreach (var skipped in summary.Figures.Where(f => !f.IsWritten))
                AnsiConsole.MarkupLineInterpolated($"[yellow]skipped[/] {skipped.Title}: {skipped.SkipReason}");
            if (summary.Errors.Count > 0)
            {
                var table = new Table().AddColumn("run").AddColumn("kind").AddColumn("predictor")
                    .AddColumn(ConsoleOutput.Number("median")).AddColumn(ConsoleOutput.Number("max"));
                foreach (var e in summary.Errors)
                    table.AddRow(Markup.Escape(e.Run), e.Kind, Markup.Escape(e.Predictor), Numbers.Scientific(e.Median), Numbers.Scientific(e.Max));
                ConsoleOutput.Write(table);
            }
            return 0;
        });
        return cmd;
    }
}
