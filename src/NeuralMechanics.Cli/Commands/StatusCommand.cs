using System.CommandLine;
using System.Text.Json.Nodes;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Runs;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech status RUN_DIR... [--json FILE]</c>: where each run stands (running, interrupted, finished,
/// failed, diverged) and what it learned, one row per run; a sweep folder stands for its run subfolders.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var runDirs = RunFolderArgument.Create();
        var json = JsonOption.Create("{\"runs\": [...]}, one object per run");
        var cmd = new Command("status", "Show each run's state (an interrupted run: its process is gone) with its loss, training and test accuracy") { runDirs, json };
        cmd.SetAction(parse =>
        {
            var (runs, skipped) = RunInputs.Resolve(parse.GetValue(runDirs)!);
            var jsonPath = parse.GetValue(json);
            var toStdout = JsonOption.ToStandardOutput(jsonPath);
            foreach (var note in skipped)
                if (toStdout) Console.Error.WriteLine($"note: {note}"); else AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
            var rows = new List<LearningTable.Row>();
            var objects = new JsonArray();
            foreach (var (name, dir) in runs)
            {
                var run = RunDirectory.Open(dir);
                var status = run.ReadStatus();
                var l = Learning.Read(dir);
                string state = status is null ? "not started" : status.State.ToString().ToLowerInvariant()
                    + (status.Step is { } s ? $" at step {s}" : "") + (status.Reason is { } why ? $": {why}" : "");
                var row = new LearningTable.Row(name, state, l.Steps, run.Manifest.Steps, l with { Name = name }, l.StepsPerSecond, l.Seconds,
                    status?.State == RunState.Finished);
                rows.Add(row);
                objects.Add(LearningTable.Json(row, dir, status));
            }
            if (jsonPath is not null) JsonOption.Write(jsonPath, new JsonObject { ["runs"] = objects });
            if (!toStdout) ConsoleOutput.Write(LearningTable.Create(rows, withSpeed: false));
            return 0;
        });
        return cmd;
    }
}
