using System.CommandLine;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Runs;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech status RUN_DIR...</c>: where each run stands (running, interrupted, finished, failed,
/// diverged) and what it learned, one row per run; a sweep folder stands for its run subfolders.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var runDirs = RunFolderArgument.Create();
        var cmd = new Command("status", "Show each run's state (an interrupted run: its process is gone) with its loss, training and test accuracy") { runDirs };
        cmd.SetAction(parse =>
        {
            var table = new Table().AddColumn("run").AddColumn("state").AddColumn(new TableColumn("steps").RightAligned())
                .AddColumn(new TableColumn("final loss").RightAligned()).AddColumn(new TableColumn($"train acc (last {Learning.TrailingSteps})").RightAligned())
                .AddColumn(new TableColumn("test acc").RightAligned()).AddColumn("");
            var (runs, skipped) = RunInputs.Resolve(parse.GetValue(runDirs)!);
            foreach (var note in skipped) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            foreach (var (name, dir) in runs)
            {
                var run = RunDirectory.Open(dir);
                var status = run.ReadStatus();
                var l = Learning.Read(dir);
                string state = status is null ? "not started" : status.State.ToString().ToLowerInvariant()
                    + (status.Step is { } s ? $" at step {s}" : "") + (status.Reason is { } why ? $": {why}" : "");
                table.AddRow(Markup.Escape(name), Markup.Escape(state), $"{l.Steps:N0} / {run.Manifest.Steps:N0}", l.FinalLoss.ToString("F3"),
                    l.TrainAccuracy.ToString("P1"), double.IsNaN(l.TestAccuracy) ? "—" : l.TestAccuracy.ToString("P1"),
                    l.DidNotLearn ? "[red]did not learn[/]" : "");
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
