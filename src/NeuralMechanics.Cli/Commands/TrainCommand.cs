using System.CommandLine;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Cli.Commands;

/// <summary><c>nmech train</c>: train a model while tracking every symmetry group, or resume a run.</summary>
internal static class TrainCommand
{
    /// <summary>Exit code of a run whose loss became NaN/Inf.</summary>
    public const int Diverged = 3;

    /// <summary>Exit code of a run stopped by Ctrl-C (its checkpoint allows --resume).</summary>
    public const int Interrupted = 130;

    public static Command Create()
    {
        var options = new TrainOptions();
        var output = new Option<string?>("--out") { Description = "Run directory to write (default runs/<model>-<data>-<time>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this directory from its last checkpoint" };
        var json = JsonOption.Create("the summary (status, steps, final loss, test accuracy, speed, symmetry counts, prediction errors, notes)");
        // For nmech reproduce's child processes: progress as JSON lines on standard output (JsonProgress).
        var progressJson = new Option<bool>("--progress-json") { Hidden = true };
        var cmd = new Command("train", "Train a model with SGD (momentum, Nesterov), Adam, AdamW or Lion (PyTorch semantics), tracking every symmetry group at every step");
        foreach (var o in options.All) cmd.Options.Add(o);
        cmd.Options.Add(output);
        cmd.Options.Add(resume);
        cmd.Options.Add(json);
        cmd.Options.Add(progressJson);
        cmd.SetAction(r =>
        {
            var jsonPath = r.GetValue(json);
            // With the JSON on standard output, progress goes to standard error.
            var log = JsonOption.ToStandardOutput(jsonPath) ? Console.Error : null;
            var sink = r.GetValue(progressJson) ? new JsonProgress(log ?? Console.Out) : null;
            TrainResult result;
            if (r.GetValue(resume) is { } runDir)
            {
                var steps = r.GetValue(options.Steps);
                var device = r.GetResult(options.Device) is { Implicit: false } ? r.GetValue(options.Device) : null;
                result = TrainingConsole.Run(Path.GetFileName(Path.TrimEndingDirectorySeparator(runDir)),
                    (p, c) => Trainer.Resume(runDir, steps, device, p, c), log, sink);
            }
            else
            {
                var config = options.Bind(r, "");
                config = config with { OutDir = r.GetValue(output) ?? Path.Combine("runs", $"{config.Model}-{config.Data.Replace(':', '_')}-{DateTime.Now:yyyyMMdd-HHmmss}") };
                result = TrainingConsole.Run(config.Model, (p, c) => Trainer.Run(config, p, c), log, sink);
            }
            if (jsonPath is not null) JsonOption.Write(jsonPath, TrainingConsole.Json(result));
            if (!JsonOption.ToStandardOutput(jsonPath)) TrainingConsole.Summarize(result);
            return result.Status.State switch
            {
                RunState.Finished => 0,
                RunState.Diverged => Report(Diverged, $"the loss became {result.Status.Loss} at step {result.Status.Step}; the run stopped and its data up to that step is kept in {result.RunDir}"),
                _ => Report(Interrupted, result.Status.Reason ?? "stopped"),
            };
        });
        return cmd;
    }

    private static int Report(int code, string message)
    {
        Console.Error.WriteLine(message);
        return code;
    }
}
