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
            var (runs, skipped) = RunInputs.Resolve(parse.GetValue(runDirs)!);
            foreach (var note in skipped) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            var rows = new List<LearningTable.Row>();
            foreach (var (name, dir) in runs)
            {
                var run = RunDirectory.Open(dir);
                var status = run.ReadStatus();
                var l = Learning.Read(dir);
                string state = status is null ? "not started" : status.State.ToString().ToLowerInvariant()
                    + (status.Step is { } s ? $" at step {s}" : "") + (status.Reason is { } why ? $": {why}" : "");
                rows.Add(new LearningTable.Row(l with { Name = name }, state, run.Manifest.Steps));
            }
            AnsiConsole.Write(LearningTable.Create(rows, withState: true, withSpeed: false));
            return 0;
        });
        return cmd;
    }
}
