using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using Spectre.Console;

namespace NeuralMechanics.Cli;

/// <summary>Progress bars and summaries of training runs on the console.</summary>
internal static class TrainingConsole
{
    /// <summary>
    /// Runs <paramref name="train"/> under a progress bar (steps, loss, accuracy, speed) that Ctrl-C
    /// stops cleanly; on a non-interactive console, a line every 10 %.
    /// </summary>
    public static TrainResult Run(string title, Func<IProgress<TrainProgress>, CancellationToken, TrainResult> train)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!AnsiConsole.Profile.Capabilities.Interactive)
            {
                long lastDecile = -1;
                return train(new CallbackProgress(p =>
                {
                    long decile = p.Step * 10 / Math.Max(1, p.Steps);
                    if (decile == lastDecile && p.Step != p.Steps) return;
                    lastDecile = decile;
                    Console.WriteLine($"{title}: step {p.Step}/{p.Steps}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.StepsPerSecond:F1} steps/s");
                }), cancel.Token);
            }
            TrainResult? result = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title));
                    result = train(new CallbackProgress(p =>
                    {
                        task.MaxValue = p.Steps;
                        task.Value = p.Step;
                        task.Description = Markup.Escape($"{title}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.StepsPerSecond:F1} steps/s");
                    }), cancel.Token);
                    task.Value = task.MaxValue;
                });
            return result!;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Prints the outcome, the symmetry counts and the prediction-error table.</summary>
    public static void Summarize(TrainResult r)
    {
        var table = new Table().Title("run").AddColumn("item").AddColumn("value");
        table.AddRow("run directory", Markup.Escape(r.RunDir));
        table.AddRow("status", Markup.Escape(r.Status.State.ToString().ToLowerInvariant() + (r.Status.Reason is { } why ? $": {why}" : "")));
        table.AddRow("steps", r.Steps.ToString("N0"));
        table.AddRow("final batch loss", r.FinalLoss.ToString("F4"));
        table.AddRow("test accuracy", double.IsNaN(r.TestAccuracy) ? "-" : r.TestAccuracy.ToString("P2"));
        table.AddRow("speed", $"{r.StepsPerSecond:F1} steps/s");
        table.AddRow("symmetry groups", string.Join(", ", Enum.GetValues<SymmetryKind>().Select(k => $"{r.Analysis.Count(k):N0} {k.Name()}")));
        if (r.TrackerBytes > 0) table.AddRow("tracker state", $"{r.TrackerBytes:N0} bytes");
        AnsiConsole.Write(table);
        if (r.Errors.Count > 0)
        {
            // ErrorSummary.RelativeError's definition, the one the report uses: nmech report prints the same numbers.
            var errors = new Table().Title("relative prediction error |prediction − Q| / terms (median / max over groups and logged steps after step 0)")
                .AddColumn("kind").AddColumn("predictor").AddColumn(new TableColumn("median").RightAligned()).AddColumn(new TableColumn("max").RightAligned());
            foreach (var e in r.Errors)
                errors.AddRow(e.Kind.Name(), e.Predictor, e.Median.ToString("0.0e+00"), e.Max.ToString("0.0e+00"));
            AnsiConsole.Write(errors);
        }
        foreach (var note in r.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
    }
}

/// <summary>Reports progress synchronously on the training thread (System.Progress would post to the thread pool).</summary>
internal sealed class CallbackProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
{
    public void Report(TrainProgress value) => report(value);
}
