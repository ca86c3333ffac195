using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Cli;

/// <summary>How a run ended in this invocation: its status, the steps it has, its training speed.</summary>
/// <param name="Status">Its status (finished, interrupted, failed, diverged).</param>
/// <param name="Steps">Steps it has now.</param>
/// <param name="StepsPerSecond">Training speed in this invocation (NaN: unknown).</param>
internal sealed record RunEnd(RunStatus Status, long Steps, double StepsPerSecond)
{
    /// <summary>The end of a run trained in this process.</summary>
    public static RunEnd Of(TrainResult r) => new(r.Status, r.Steps, r.StepsPerSecond);
}

/// <summary>
/// Trains one run as an <c>nmech train</c> child process with a given number of libtorch threads
/// (OMP_NUM_THREADS): libtorch's thread count is global to a process, and on a few cores two
/// one-thread runs side by side do more steps per second than one run on every core (measured, AMD
/// EPYC, 2 cores, VGG-16-BN ×1/4: 9.5 steps/s each against 13.7 alone, 1.39× together). The child
/// reports progress as <see cref="JsonProgress"/> lines, relayed to <c>progress</c>; every other line
/// goes to its log; its result comes back through its <c>--json</c> summary and its run folder.
/// Ctrl-C reaches the child from the terminal itself, which then stops with a checkpoint.
/// </summary>
/// <param name="Nmech">The command that starts nmech (e.g. <c>dotnet /opt/nmech/nmech.dll</c>).</param>
/// <param name="Threads">libtorch threads of each child.</param>
/// <param name="Folder">Where the children's specifications (<c>specs/</c>) and logs (<c>logs/</c>) go.</param>
internal sealed record ChildRun(IReadOnlyList<string> Nmech, int Threads, string Folder)
{
    /// <summary>Starts <paramref name="spec"/> (or resumes it to <paramref name="resumeSteps"/>) and waits for the child to end.</summary>
    public RunEnd Train(RunSpec spec, SweepAction action, long resumeSteps, IProgress<TrainProgress>? progress, CancellationToken cancel = default)
    {
        string name = Path.GetFileName(spec.OutDir);
        Directory.CreateDirectory(Path.Combine(Folder, "logs"));
        var log = Path.Combine(Folder, "logs", name + ".log");
        var summary = Path.Combine(Folder, "logs", name + ".json");
        File.Delete(summary);
        List<string> args;
        if (action == SweepAction.Resume)
            args = ["train", "--resume", spec.OutDir, "--steps", resumeSteps.ToString(CultureInfo.InvariantCulture), "--device", spec.Device];
        else
        {
            Directory.CreateDirectory(Path.Combine(Folder, "specs"));
            var specPath = Path.Combine(Folder, "specs", name + ".json");
            spec.Write(specPath);
            args = ["train", "--spec", specPath, "--out", spec.OutDir];
        }
        args.AddRange(["--json", summary, "--progress-json"]);

        var start = new ProcessStartInfo(Nmech[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OMP_NUM_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture) },
        };
        foreach (var a in Nmech.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        TrainProgress? last = null;
        using (var writer = new StreamWriter(log, append: true) { AutoFlush = true })
        {
            writer.WriteLine($"$ OMP_NUM_THREADS={Threads} {SweepCommandLine.Shell(Nmech.Concat(args))}");
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                if (JsonProgress.TryParse(e.Data, out var p))
                {
                    last = p;
                    progress?.Report(p);
                }
                else lock (writer) writer.WriteLine(e.Data);
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // A terminal's Ctrl-C reaches the child itself; a cancellation from elsewhere is passed on as SIGINT.
            using (cancel.Register(() => Interrupt(process)))
                process.WaitForExit();
            if (ReadSummary(summary, spec.OutDir) is { } end) return end;
            var steps = last?.Step ?? 0;
            return new RunEnd(RunStatus.Failed($"nmech train exited with code {process.ExitCode}; see {log}"), steps, last?.StepsPerSecond ?? double.NaN);
        }
    }

    private static void Interrupt(Process process)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            if (!process.HasExited) _ = kill(process.Id, SigInt);
        }
        catch (InvalidOperationException)
        {
            // Exited between the test and the signal.
        }
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    // The child's --json summary (written when it ended normally: finished, interrupted, diverged or failed).
    private static RunEnd? ReadSummary(string path, string runDir)
    {
        if (!File.Exists(path)) return null;
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var dir = RunDirectory.Open(runDir);
        var status = dir.ReadStatus()
            ?? throw new InvalidInputException($"{dir.StatusPath}: expected the status of the run the child trained, found none");
        var sps = json["steps_per_second"]?.GetValue<double>() ?? double.NaN;
        return new RunEnd(status, json["steps"]!.GetValue<long>(), sps);
    }
}
