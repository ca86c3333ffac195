using System.CommandLine;
using System.Diagnostics;
using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech reproduce</c>: the paper's Section 6 experiment sized for a 2-core CPU (see
/// <see cref="Reproduction"/>), then the report. The README's main command.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A smaller version that finishes in about 2 minutes on 2 cores" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding Fashion-MNIST (default /usr/share/datasets/fashion-mnist)" };
        var output = new Option<string>("--out") { Description = "Output folder (runs and report)", DefaultValueFactory = _ => "reproduce" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "cpu" };
        var cmd = new Command("reproduce", "Train width-scaled VGG-16 with and without BatchNorm over weight decays and momenta, tracking every symmetry, then write the report");
        cmd.Options.Add(quick);
        cmd.Options.Add(dataDir);
        cmd.Options.Add(output);
        cmd.Options.Add(device);
        cmd.SetAction(r =>
        {
            string outDir = r.GetValue(output)!;
            var (runs, data, warning) = Reproduction.Plan(r.GetValue(quick), r.GetValue(dataDir), Path.Combine(outDir, "runs"), r.GetValue(device)!);
            if (warning is not null)
                AnsiConsole.Write(new Spectre.Console.Panel(Markup.Escape(warning)).Header("[bold red]NOT THE REAL DATA[/]").BorderColor(Color.Red));
            AnsiConsole.MarkupLine($"{runs.Count} runs on {Markup.Escape(data)} → {Markup.Escape(Path.GetFullPath(outDir))}");
            var watch = Stopwatch.StartNew();
            var results = TrainAll(runs);
            AnsiConsole.MarkupLine($"training took {watch.Elapsed.TotalMinutes:F1} min; writing the report");
            var report = Reporter.Write(results.Select(x => x.RunDir).ToList(), Path.Combine(outDir, "report"));
            Headline(results, report, warning);
            return results.All(x => x.Status.State == RunState.Finished) ? 0 : 1;
        });
        return cmd;
    }

    private static List<TrainResult> TrainAll(IReadOnlyList<RunSpec> runs)
    {
        var results = new List<TrainResult>();
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                foreach (var (config, i) in runs.Select((c, i) => (c, i)))
                {
                    if (cancel.IsCancellationRequested) break;
                    Console.WriteLine($"[{i + 1}/{runs.Count}] {Path.GetFileName(config.OutDir)}");
                    var result = Fresh(config, null, cancel.Token);
                    results.Add(result);
                    Console.WriteLine($"[{i + 1}/{runs.Count}] {Summary(result)}");
                }
                return results;
            }
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var overall = ctx.AddTask("[bold]all runs[/]", maxValue: runs.Count);
                    foreach (var config in runs)
                    {
                        if (cancel.IsCancellationRequested) break;
                        string name = Path.GetFileName(config.OutDir);
                        var task = ctx.AddTask(Markup.Escape(name));
                        var progress = new CallbackProgress(p =>
                        {
                            task.MaxValue = p.Steps;
                            task.Value = p.Step;
                            task.Description = Markup.Escape($"{name}  loss {p.Loss:F3}  {p.StepsPerSecond:F1} steps/s");
                            overall.Value = results.Count + (double)p.Step / p.Steps;
                        });
                        results.Add(Fresh(config, progress, cancel.Token));
                        task.Value = task.MaxValue;
                        overall.Value = results.Count;
                    }
                });
            return results;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Starts the run afresh: whatever its folder holds, a finished run included, is deleted first.</summary>
    private static TrainResult Fresh(RunSpec config, IProgress<TrainProgress>? progress, CancellationToken cancel)
    {
        if (Directory.Exists(config.OutDir)) Directory.Delete(config.OutDir, recursive: true);
        return Trainer.Run(config, progress, cancel);
    }

    // A run that stopped before writing any metrics has only its status to show.
    private static string Summary(TrainResult r)
    {
        string state = r.Status.State == RunState.Finished ? "" : $" ({r.Status.State.ToString().ToLowerInvariant()}{(r.Status.Step is { } s ? $" at step {s}" : "")})";
        try { return Learning.Read(r.RunDir) + state; }
        catch (InvalidInputException e) { return $"{Path.GetFileName(r.RunDir)}{state}: {e.Message}"; }
    }

    private static void Headline(List<TrainResult> results, ReportSummary report, string? warning)
    {
        var learning = results.Select(r => { try { return Learning.Read(r.RunDir); } catch (InvalidInputException) { return null; } }).ToList();
        AnsiConsole.Write(LearningTable.Create(learning.OfType<LearningSummary>().Select(l => new LearningTable.Row(l)), withState: false, withSpeed: true, title: "runs"));
        var counts = new Table().Title("symmetry groups").AddColumn("model");
        foreach (var k in Enum.GetValues<SymmetryKind>()) counts.AddColumn(new TableColumn(k.Name()).RightAligned());
        foreach (var r in results.DistinctBy(r => r.Analysis.Architecture.ParameterCount))
            counts.AddRow([Markup.Escape(Path.GetFileName(r.RunDir).Split('_')[0]), .. Enum.GetValues<SymmetryKind>().Select(k => r.Analysis.Count(k).ToString("N0"))]);
        AnsiConsole.Write(counts);
        var errors = new Table().Title("median relative prediction error over all runs, groups and logged steps")
            .AddColumn("kind").AddColumn("predictor").AddColumn(new TableColumn("median (of run medians)").RightAligned()).AddColumn(new TableColumn("max").RightAligned());
        foreach (var g in report.Errors.GroupBy(e => (e.Kind, e.Predictor)))
        {
            var medians = g.Select(e => e.Median).Where(double.IsFinite).ToList();
            if (medians.Count == 0) continue;
            errors.AddRow(g.Key.Kind, g.Key.Predictor, OrderStatistics.Median(medians).ToString("0.0e+00"), g.Max(e => e.Max).ToString("0.0e+00"));
        }
        AnsiConsole.Write(errors);
        foreach (var r in results.Where(r => r.Status.State != RunState.Finished))
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(Path.GetFileName(r.RunDir))}: {r.Status.State.ToString().ToLowerInvariant()}{Markup.Escape(r.Status.Step is { } s ? $" at step {s}" : "")}[/]");
        var stuck = learning.OfType<LearningSummary>().Where(l => l.DidNotLearn).Select(l => l.Name).ToList();
        if (stuck.Count > 0)
            AnsiConsole.MarkupLine($"[bold red]{stuck.Count} of {results.Count} runs did not learn[/] (loss within 1 % of ln classes over the last 50 steps): {Markup.Escape(string.Join(", ", stuck))}");
        if (warning is not null) AnsiConsole.MarkupLine($"[bold red]{Markup.Escape(warning)}[/]");
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(Path.GetFullPath(report.HtmlPath))}[/] (and {Markup.Escape(Path.GetFullPath(report.MarkdownPath))}, {report.FigureFiles.Count} figure files)");
    }
}
