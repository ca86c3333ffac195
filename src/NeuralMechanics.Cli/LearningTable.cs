using NeuralMechanics.Runs;
using Spectre.Console;

namespace NeuralMechanics.Cli;

/// <summary>The one table of what runs learned, shared by <c>nmech status</c> (with each run's state) and <c>nmech reproduce</c> (with its speed).</summary>
internal static class LearningTable
{
    /// <summary>A row: the run's learning summary, and its state (status) or nothing (reproduce).</summary>
    public sealed record Row(LearningSummary Learning, string? State = null, long? PlannedSteps = null);

    public static Table Create(IEnumerable<Row> rows, bool withState, bool withSpeed, string? title = null)
    {
        var table = new Table().AddColumn("run");
        if (title is not null) table.Title(title);
        if (withState) table.AddColumn("state").AddColumn(new TableColumn("steps").RightAligned());
        table.AddColumn(new TableColumn("final loss").RightAligned()).AddColumn(new TableColumn($"train acc (last {Runs.Learning.TrailingSteps})").RightAligned())
            .AddColumn(new TableColumn("test acc").RightAligned());
        if (withSpeed) table.AddColumn(new TableColumn("steps/s").RightAligned()).AddColumn(new TableColumn("min").RightAligned());
        table.AddColumn("");
        foreach (var (l, state, planned) in rows)
        {
            List<string> cells = [Markup.Escape(l.Name)];
            if (withState) cells.AddRange([Markup.Escape(state ?? ""), $"{l.Steps:N0} / {planned ?? l.Steps:N0}"]);
            cells.AddRange([l.FinalLoss.ToString("F3"), l.TrainAccuracy.ToString("P1"), double.IsNaN(l.TestAccuracy) ? "—" : l.TestAccuracy.ToString("P1")]);
            if (withSpeed) cells.AddRange([l.StepsPerSecond.ToString("F1"), (l.Seconds / 60).ToString("F1")]);
            cells.Add(l.DidNotLearn ? "[bold red]did not learn[/]" : withSpeed ? "[green]learned[/]" : "");
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
