using System.CommandLine;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Runs;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech sweep --grid "lr=0.1,0.01 wd=0,1e-4" [train options] --out SWEEP_DIR [--parallel N] [--emit slurm]</c>:
/// one run folder per grid point, skipping finished points and resuming unfinished ones, or a
/// Slurm job array that does the same.
/// </summary>
internal static class SweepCommand
{
    /// <summary>Exit code when some point failed or was left unfinished.</summary>
    public const int Incomplete = 1;

    public static Command Create()
    {
        var options = new TrainOptions();
        var grid = new Option<string>("--grid")
        {
            Description = $"Grid: space-separated key=v1,v2,... with keys {string.Join(", ", SweepGrid.Keys)} (e.g. \"lr=0.1,0.01 wd=0,1e-4\")",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Sweep folder: one run folder per point, named like lr=0.1_wd=0.0001", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Points trained at a time (child processes, cores/N threads each)", DefaultValueFactory = _ => 1 };
        var emit = new Option<string?>("--emit") { Description = "slurm: write a Slurm job-array script (sweep.slurm, points.txt) and run nothing" };
        // A validator rather than AcceptOnlyFromAmong: its message spans several lines.
        emit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && value != "slurm")
                result.AddError($"--emit: expected slurm, found '{value}'");
        });
        var cmd = new Command("sweep", "Train every point of a hyperparameter grid, each in its own run folder (resumable), or emit a Slurm job array");
        foreach (var o in options.All) cmd.Options.Add(o);
        cmd.Options.Add(grid);
        cmd.Options.Add(output);
        cmd.Options.Add(parallel);
        cmd.Options.Add(emit);
        cmd.SetAction(r =>
        {
            var n = r.GetValue(parallel);
            if (n < 1) throw new InvalidInputException($"--parallel: expected ≥ 1, found {n}");
            var root = r.GetValue(output)!;
            var plan = SweepPlan.Create(SweepGrid.Parse(r.GetValue(grid)!), options.Bind(r, root), root);
            if (r.GetValue(emit) is not null)
            {
                SlurmScript.Write(plan, NmechCommand());
                AnsiConsole.WriteLine($"{plan.Points.Count} points: wrote {Path.Combine(plan.Root, SlurmScript.ScriptFile)}, {SlurmScript.PointsFile} and {SweepPlan.ManifestFile}");
                AnsiConsole.WriteLine($"submit with: sbatch {SweepCommandLine.Quote(Path.Combine(plan.Root, SlurmScript.ScriptFile))}");
                return 0;
            }
            return Run(plan, n);
        });
        return cmd;
    }

    private static int Run(SweepPlan plan, int parallel)
    {
        using var cancel = new CancellationTokenSource();
        // Children get Ctrl-C from the terminal themselves; this process only stops starting points.
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var total = plan.Points.Count;
            var manifest = SweepRunner.Run(plan, parallel, parallel > 1 ? NmechCommand() : null, new SyncProgress<SweepProgress>(p =>
            {
                var what = p.State == SweepPointState.Running ? p.Action == SweepAction.Resume ? "resuming" : "starting"
                    : p.Action == SweepAction.Skip ? $"{p.State.ToString().ToLowerInvariant()} already, skipped"
                    : p.State.ToString().ToLowerInvariant();
                var colour = p.State switch { SweepPointState.Finished => "green", SweepPointState.Running => "blue", SweepPointState.Diverged or SweepPointState.Interrupted => "yellow", _ => "red" };
                AnsiConsole.MarkupLine($"[[{p.Point.Index + 1}/{total}]] {Markup.Escape(p.Point.Name)}: [{colour}]{Markup.Escape(what)}[/]"
                    + (p.Detail.Length > 0 ? $" ({Markup.Escape(p.Detail)})" : ""));
            }), cancel.Token);
            var counts = manifest.Points.GroupBy(p => p.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            AnsiConsole.WriteLine($"{plan.Root}: {string.Join(", ", counts)}; manifest {SweepPlan.ManifestFile}");
            if (cancel.IsCancellationRequested) return TrainCommand.Interrupted;
            return manifest.Points.All(p => p.State is SweepPointState.Finished or SweepPointState.Diverged) ? 0 : Incomplete;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The command that starts this nmech: <c>dotnet /path/nmech.dll</c>, or the native launcher itself.</summary>
    internal static IReadOnlyList<string> NmechCommand()
    {
        var host = Environment.ProcessPath;
        var dll = typeof(NmechApp).Assembly.Location;
        var hostName = Path.GetFileNameWithoutExtension(host);
        if (hostName == "dotnet") return [host!, dll];
        if (hostName == Path.GetFileNameWithoutExtension(dll)) return [host!];
        return ["dotnet", dll];
    }
}
