using System.Text.Json.Nodes;
using NeuralMechanics.Runs;
using Spectre.Console;

namespace NeuralMechanics.Cli;

/// <summary>The one table of where runs stand and what they learned, shared by <c>nmech status</c> and <c>nmech reproduce</c>.</summary>
internal static class LearningTable
{
    /// <summary>A row: a run, its state, its steps, what it learned (null: it has no metrics yet) and its speed.</summary>
    /// <param name="Name">The run's name.</param>
    /// <param name="State">Its state, e.g. "finished", "interrupted at step 412", "not started".</param>
    /// <param name="Steps">Updates done.</param>
    /// <param name="PlannedSteps">Updates planned.</param>
    /// <param name="Learning">Its learning summary; null when it has none (not started).</param>
    /// <param name="StepsPerSecond">Speed (NaN: not known).</param>
    /// <param name="Seconds">Training time (NaN: not known).</param>
    /// <param name="Finished">All its steps are done (only then is it marked as having learned).</param>
    public sealed record Row(string Name, string State, long Steps, long? PlannedSteps, LearningSummary? Learning,
        double StepsPerSecond = double.NaN, double Seconds = double.NaN, bool Finished = false)
    {
        /// <summary>The run finished and did not stay on the initial plateau.</summary>
        public bool Learned => Finished && Learning is { DidNotLearn: false };
    }

    /// <summary>The table; a number that is not known (a run not started, a test accuracy before the end) is "—".</summary>
    public static Table Create(IEnumerable<Row> rows, bool withSpeed, string? title = null)
    {
        var table = new Table().AddColumn("run").AddColumn("state").AddColumn(ConsoleOutput.Number("steps"));
        if (title is not null) table.Title(title);
        table.AddColumn(ConsoleOutput.Number("final loss")).AddColumn(ConsoleOutput.Number($"train acc (last {Runs.Learning.TrailingSteps})"))
            .AddColumn(ConsoleOutput.Number("test acc"));
        if (withSpeed) table.AddColumn(ConsoleOutput.Number("steps/s")).AddColumn(ConsoleOutput.Number("min"));
        table.AddColumn("");
        foreach (var row in rows)
        {
            var l = row.Learning;
            List<string> cells = [Markup.Escape(row.Name), Markup.Escape(row.State), $"{row.Steps:N0} / {row.PlannedSteps ?? row.Steps:N0}",
                Known(l?.FinalLoss, "F3"), Known(l?.TrainAccuracy, "P1"), Known(l?.TestAccuracy, "P1")];
            if (withSpeed) cells.AddRange([Known(row.StepsPerSecond, "F1"), Known(row.Seconds / 60, "F1")]);
            cells.Add(l is { DidNotLearn: true } ? "[bold red]did not learn[/]" : withSpeed && row.Learned ? "[green]learned[/]" : "");
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>
    /// A row as JSON (<c>nmech status --json</c>): <c>{"name", "dir", "state", "reason", "steps", "planned_steps",
    /// "final_loss", "train_accuracy", "test_accuracy", "steps_per_second", "seconds", "did_not_learn"}</c>;
    /// numbers not known are null.
    /// </summary>
    public static JsonObject Json(Row row, string dir, RunStatus? status) => new()
    {
        ["name"] = row.Name,
        ["dir"] = dir,
        ["state"] = status is null ? "not_started" : status.State.ToString().ToLowerInvariant(),
        ["reason"] = status?.Reason,
        ["steps"] = row.Steps,
        ["planned_steps"] = row.PlannedSteps,
        ["final_loss"] = TrainingConsole.Finite(row.Learning?.FinalLoss ?? double.NaN),
        ["train_accuracy"] = TrainingConsole.Finite(row.Learning?.TrainAccuracy ?? double.NaN),
        ["test_accuracy"] = TrainingConsole.Finite(row.Learning?.TestAccuracy ?? double.NaN),
        ["steps_per_second"] = TrainingConsole.Finite(row.StepsPerSecond),
        ["seconds"] = TrainingConsole.Finite(row.Seconds),
        ["did_not_learn"] = row.Learning?.DidNotLearn,
    };

    private static string Known(double? x, string format) => x is double v && double.IsFinite(v) ? v.ToString(format) : "—";
}
