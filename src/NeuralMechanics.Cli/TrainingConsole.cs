using System.Text.Json.Nodes;
using NeuralMechanics.Reporting;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using Spectre.Console;

namespace NeuralMechanics.Cli;

/// <summary>Progress bars (or log lines) and summaries of training runs on the console.</summary>
internal static class TrainingConsole
{
    /// <summary>
    /// Runs <paramref name="train"/> under a progress bar (steps, loss, accuracy, speed) that Ctrl-C
    /// stops cleanly; without a terminal, <see cref="ProgressLines"/> to <paramref name="log"/>
    /// (standard output by default; standard error when standard output carries JSON); or to
    /// <paramref name="sink"/> when one is given (a parent process reading <see cref="JsonProgress"/>).
    /// </summary>
    public static TrainResult Run(string title, Func<IProgress<TrainProgress>, CancellationToken, TrainResult> train, TextWriter? log = null,
        IProgress<TrainProgress>? sink = null)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (sink is not null) return train(sink, cancel.Token);
            if (!ConsoleOutput.IsTerminal || log is not null) return train(new ProgressLines(title, log ?? Console.Out), cancel.Token);
            TrainResult? result = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title));
                    result = train(new SyncProgress<TrainProgress>(p =>
                    {
                        task.MaxValue = p.Steps;
                        task.Value = p.Step;
                        task.Description = Markup.Escape(p.Step >= p.Steps ? $"{title}  test accuracy…" : $"{title}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.StepsPerSecond:F1} steps/s");
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

    /// <summary>The state a run ended in, as printed and in JSON: finished, interrupted, failed or diverged.</summary>
    public static string State(TrainResult r) => r.Status.State.ToString().ToLowerInvariant();

    /// <summary>Prints the outcome, the symmetry counts and the prediction-error table.</summary>
    public static void Summarize(TrainResult r)
    {
        var table = new Table().Title("run").AddColumn("item").AddColumn("value");
        table.AddRow("run directory", Markup.Escape(r.RunDir));
        table.AddRow("status", Markup.Escape(State(r) + (r.Status.Reason is { } why ? $": {why}" : "")));
        table.AddRow("steps", r.Steps.ToString("N0"));
        table.AddRow("final batch loss", r.FinalLoss.ToString("F4"));
        table.AddRow("test accuracy", double.IsNaN(r.TestAccuracy) ? "—" : r.TestAccuracy.ToString("P2"));
        table.AddRow("speed", $"{r.StepsPerSecond:F1} steps/s");
        table.AddRow("symmetry groups", string.Join(", ", Enum.GetValues<SymmetryKind>().Select(k => $"{r.Analysis.Count(k):N0} {k.Name()}")));
        if (r.TrackerBytes > 0) table.AddRow("tracker state", $"{r.TrackerBytes:N0} bytes");
        ConsoleOutput.Write(table);
        if (r.Errors.Count > 0)
        {
            // ErrorSummary.RelativeError's definition, the one the report uses: nmech report prints the same numbers.
            var errors = new Table().Title("relative prediction error |prediction − Q| / terms (median / max over groups and logged steps after step 0)")
                .AddColumn("kind").AddColumn("predictor").AddColumn(ConsoleOutput.Number("median")).AddColumn(ConsoleOutput.Number("max"));
            foreach (var e in r.Errors)
                errors.AddRow(e.Kind.Name(), Markup.Escape(e.Predictor), Numbers.Scientific(e.Median), Numbers.Scientific(e.Max));
            ConsoleOutput.Write(errors);
        }
        foreach (var note in r.Notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
    }

    /// <summary>
    /// <c>nmech train --json</c>: <c>{"run_dir", "status", "reason", "steps", "final_loss", "test_accuracy",
    /// "steps_per_second", "symmetry_counts": {kind: groups}, "tracker_bytes", "prediction_errors":
    /// [{"kind", "predictor", "count", "median", "max"}], "notes": [...]}</c>; a number that does not
    /// exist (test accuracy of an unfinished run, an error without terms) is null.
    /// </summary>
    public static JsonObject Json(TrainResult r) => new()
    {
        ["run_dir"] = Path.GetFullPath(r.RunDir),
        ["status"] = State(r),
        ["reason"] = r.Status.Reason,
        ["steps"] = r.Steps,
        ["final_loss"] = Finite(r.FinalLoss),
        ["test_accuracy"] = Finite(r.TestAccuracy),
        ["steps_per_second"] = Finite(r.StepsPerSecond),
        ["symmetry_counts"] = new JsonObject(Enum.GetValues<SymmetryKind>().Select(k => KeyValuePair.Create(k.Name(), (JsonNode?)r.Analysis.Count(k)))),
        ["tracker_bytes"] = r.TrackerBytes,
        ["prediction_errors"] = new JsonArray(r.Errors.Select(e => (JsonNode)new JsonObject
        {
            ["kind"] = e.Kind.Name(), ["predictor"] = e.Predictor, ["count"] = e.Count, ["median"] = Finite(e.Median), ["max"] = Finite(e.Max),
        }).ToArray()),
        ["notes"] = new JsonArray(r.Notes.Select(n => (JsonNode)n).ToArray()),
    };

    /// <summary>A number for JSON: null where it is NaN or infinite (JSON has no such numbers).</summary>
    public static JsonNode? Finite(double x) => double.IsFinite(x) ? x : null;
}
