using System.Diagnostics;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>A sweep point changed state.</summary>
/// <param name="Point">The point.</param>
/// <param name="Action">What the sweep did or does with it.</param>
/// <param name="State">Its state now.</param>
/// <param name="Detail">Why it failed, or where its log is; empty otherwise.</param>
public sealed record SweepProgress(SweepPoint Point, SweepAction Action, SweepPointState State, string Detail);

/// <summary>
/// Runs the points of a <see cref="SweepPlan"/>: finished and diverged points are skipped,
/// unfinished ones with a checkpoint resumed, the rest started; <c>sweep.json</c> is rewritten
/// at every change of state.
/// </summary>
/// <remarks>
/// libtorch's thread count is global to a process, so parallel points run as child processes
/// (<c>nmech train</c>), each given cores/N threads through OMP_NUM_THREADS; one at a time they
/// may run in this process. A point's failure is reported and the others go on.
/// </remarks>
public static class SweepRunner
{
    /// <summary>
    /// Runs the sweep and returns its final manifest. With <paramref name="nmech"/> null, points run
    /// one after another in this process (<paramref name="parallel"/> must be 1); otherwise
    /// <paramref name="parallel"/> at a time as <c>nmech train</c> child processes, where
    /// <paramref name="nmech"/> is the command that starts nmech (e.g. <c>dotnet /opt/nmech/nmech.dll</c>)
    /// and each child's output goes to <c>SWEEP_DIR/logs/&lt;point&gt;.log</c>. Cancellation starts no
    /// further point; running ones stop at their next step with a checkpoint (children get
    /// Ctrl-C from the terminal themselves).
    /// </summary>
    public static SweepManifest Run(SweepPlan plan, int parallel = 1, IReadOnlyList<string>? nmech = null,
        IProgress<SweepProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        if (nmech is null && parallel > 1)
            throw new ArgumentException("parallel points need child processes: give the nmech command", nameof(nmech));
        if (nmech is { Count: 0 }) throw new ArgumentException("empty nmech command", nameof(nmech));
        var gate = new object();
        void Update(SweepPoint point, SweepAction action, string detail = "")
        {
            lock (gate)
            {
                plan.WriteManifest();
                progress?.Report(new SweepProgress(point, action, point.State(), detail));
            }
        }

        plan.WriteManifest();
        var work = new List<(SweepPoint Point, SweepAction Action)>();
        foreach (var point in plan.Points)
        {
            var action = point.NextAction();
            if (action == SweepAction.Skip) progress?.Report(new SweepProgress(point, action, point.State(), ""));
            else work.Add((point, action));
        }
        if (nmech is not null) Directory.CreateDirectory(plan.LogsPath);
        var threads = Math.Max(1, Environment.ProcessorCount / parallel);
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = parallel }, item =>
        {
            if (cancel.IsCancellationRequested) return;
            var (point, action) = item;
            lock (gate) progress?.Report(new SweepProgress(point, action, SweepPointState.Running, ""));
            string detail;
            try
            {
                detail = nmech is null ? RunHere(point, action, cancel) : RunChild(plan, point, action, nmech, threads);
            }
            catch (Exception e)
            {
                // One point's failure (bad data file, full disk, libtorch error) must not take the others down.
                detail = e.Message;
            }
            Update(point, action, detail);
        });
        return plan.Manifest();
    }

    private static string RunHere(SweepPoint point, SweepAction action, CancellationToken cancel)
    {
        var result = action == SweepAction.Resume
            ? Trainer.Resume(point.Dir, point.ResumeSteps(), cancel: cancel)
            : Trainer.Run(point.Config, cancel: cancel);
        return result.Status.Reason ?? "";
    }

    private static string RunChild(SweepPlan plan, SweepPoint point, SweepAction action, IReadOnlyList<string> nmech, int threads)
    {
        var args = action == SweepAction.Resume ? SweepCommandLine.Resume(point.Dir, point.ResumeSteps()) : SweepCommandLine.Train(point);
        var log = Path.Combine(plan.LogsPath, point.Name + ".log");
        var start = new ProcessStartInfo(nmech[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        foreach (var a in nmech.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        using var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        writer.WriteLine($"$ {SweepCommandLine.Shell(nmech.Concat(args))}");
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        // 3: the loss diverged (nmech train's exit code), a result recorded in the run's status.
        return process.ExitCode is 0 or 3 ? "" : $"nmech exited with code {process.ExitCode}; see {log}";
    }
}
