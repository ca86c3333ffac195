using System.CommandLine;
using System.Diagnostics;
using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using NeuralMechanics.Cli.Options;
using Spectre.Console;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech reproduce</c>: the paper's Section 6 experiment sized for a 2-core CPU (see
/// <see cref="Reproduction"/>), then the report. The README's main command. Run again in the same
/// folder it continues: finished runs are kept, an interrupted run resumes from its checkpoint.
/// Exit codes: 0 every run finished, 1 some run failed or diverged, 130 stopped by Ctrl-C, 2 bad input.
/// </summary>
internal static class ReproduceCommand
{
    /// <summary>Exit code when some run failed or diverged.</summary>
    public const int Incomplete = 1;

    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A smaller version that finishes in about 2 minutes on 2 cores" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding Fashion-MNIST (default /usr/share/datasets/fashion-mnist)" };
        var output = new Option<string>("--out") { Description = "Output folder (runs and report)", DefaultValueFactory = _ => "reproduce" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "cpu" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the reproduction in --out (the default when it holds one): finished runs are kept, an interrupted run resumes from its checkpoint; an error if there is none",
        };
        var fresh = new Option<bool>("--fresh") { Description = "Start over: delete the plan's run folders in --out first" };
        var parallel = new Option<int?>("--parallel")
        {
            Description = "Runs trained at a time, each in its own process with cores/N libtorch threads (default on the CPU: one per core, at most the plan's runs; 1: one after another in this process, on every core)",
        };
        var cmd = new Command("reproduce", "Train width-scaled VGG-16 with and without BatchNorm over weight decays and momenta, tracking every symmetry, then write the report " +
            "(run again to continue after Ctrl-C; exit code 130 when stopped by Ctrl-C)");
        cmd.Options.Add(quick);
        cmd.Options.Add(dataDir);
        cmd.Options.Add(output);
        cmd.Options.Add(device);
        cmd.Options.Add(resume);
        cmd.Options.Add(fresh);
        cmd.Options.Add(parallel);
        // The tracking options train and sweep take, with their names and descriptions.
        var tracking = new TrainOptions();
        cmd.Options.Add(tracking.SharpnessEvery);
        cmd.Options.Add(tracking.NoiseEvery);
        cmd.SetAction(r =>
        {
            string outDir = r.GetValue(output)!;
            var (planned, data, warning) = Reproduction.Plan(r.GetValue(quick), r.GetValue(dataDir), Path.Combine(outDir, "runs"), r.GetValue(device)!);
            var runs = planned.Select(s => s with { SharpnessEvery = r.GetValue(tracking.SharpnessEvery), NoiseEvery = r.GetValue(tracking.NoiseEvery) }).ToList();
            if (warning is not null)
            {
                if (ConsoleOutput.IsTerminal)
                    AnsiConsole.Write(new Spectre.Console.Panel(Markup.Escape(warning)).Header("[bold red]NOT THE REAL DATA[/]").BorderColor(Color.Red));
                else Console.WriteLine($"NOT THE REAL DATA: {warning}");
            }
            var children = Children(r.GetValue(parallel), runs, outDir);
            var plan = Reproduction.Prepare(outDir, runs, r.GetValue(fresh), r.GetValue(resume));
            int kept = plan.Count(p => p.Action == SweepAction.Skip), resumed = plan.Count(p => p.Action == SweepAction.Resume);
            AnsiConsole.MarkupLine(Markup.Escape($"{runs.Count} runs on {data} → {Path.GetFullPath(outDir)}"
                + (kept + resumed > 0 ? $" ({kept} done already and kept, {resumed} to resume, {runs.Count - kept - resumed} to start)" : "")
                + (children is null ? "" : $"; {Environment.ProcessorCount / children.Threads} at a time, {children.Threads} thread{(children.Threads == 1 ? "" : "s")} each")));

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            List<Outcome> outcomes;
            var watch = Stopwatch.StartNew();
            try
            {
                outcomes = ConsoleOutput.IsTerminal ? WithProgressBars(plan, children, cancel.Token) : WithProgressLines(plan, children, cancel.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            bool stopped = cancel.IsCancellationRequested;
            var started = outcomes.Select(o => o.Spec.OutDir).Where(d => File.Exists(Path.Combine(d, TrajectorySchema.ManifestFile))).ToList();
            AnsiConsole.MarkupLine(Markup.Escape($"training took {watch.Elapsed.TotalMinutes:F1} min" + (started.Count > 0 ? "; writing the report" : "")));
            var report = started.Count > 0 ? Reporter.Write(started, Path.Combine(outDir, "report")) : null;
            Headline(outcomes, report, warning, stopped);
            return ExitCode(outcomes, stopped);
        });
        return cmd;
    }

    /// <summary>What became of a planned run in this invocation.</summary>
    /// <param name="Spec">The run.</param>
    /// <param name="Action">What was to be done with it.</param>
    /// <param name="Result">How it ended; null when it was skipped or not reached (Ctrl-C before it).</param>
    /// <param name="Seconds">Wall-clock seconds it took in this invocation (NaN: not run).</param>
    internal sealed record Outcome(RunSpec Spec, SweepAction Action, RunEnd? Result, double Seconds);

    /// <summary>
    /// The child processes that train the plan on the CPU: <paramref name="parallel"/> runs at a time
    /// (default: one per core, at most the plan's runs), each with cores/N threads. Null when they run
    /// one after another in this process (<c>--parallel 1</c>, one core, or a GPU). The thread count
    /// follows from the plan and the machine only, never from how many runs are left, so a run resumed
    /// later computes with the threads it started with (resume bit for bit).
    /// </summary>
    internal static ChildRun? Children(int? parallel, IReadOnlyList<RunSpec> runs, string outDir)
    {
        if (parallel is < 1) throw new InvalidInputException($"--parallel: expected ≥ 1, found {parallel}");
        int cores = Environment.ProcessorCount;
        int n = Math.Min(parallel ?? (runs.All(r => r.Device == "cpu") ? Math.Min(cores, runs.Count) : 1), cores);
        if (n <= 1) return null;
        return new ChildRun(SweepCommand.NmechCommand(), Math.Max(1, cores / n), outDir);
    }

    /// <summary>
    /// Trains the runs of <paramref name="plan"/>: skipped runs are left alone, resumed ones go
    /// through <see cref="Trainer.Resume(string, long?, string?, IProgress{TrainProgress}?, CancellationToken)"/>
    /// (the path of <c>nmech train --resume</c>); after cancellation no further run starts. One after
    /// another in this process, or, with <paramref name="children"/>, as many at a time as its threads
    /// allow, each in a child process. <paramref name="starting"/> is told before each run is trained
    /// (from any thread) and gives its progress sink; <paramref name="ended"/> is told after.
    /// </summary>
    internal static List<Outcome> TrainAll(IReadOnlyList<(RunSpec Run, SweepAction Action)> plan,
        Func<int, RunSpec, SweepAction, IProgress<TrainProgress>?> starting, CancellationToken cancel,
        ChildRun? children = null, Action<int, Outcome>? ended = null)
    {
        var outcomes = new Outcome[plan.Count];
        void Train(int i)
        {
            var (spec, action) = plan[i];
            if (action == SweepAction.Skip || cancel.IsCancellationRequested)
            {
                outcomes[i] = new Outcome(spec, action, null, double.NaN);
                return;
            }
            var progress = starting(i, spec, action);
            var watch = Stopwatch.StartNew();
            var result = children is not null ? children.Train(spec, action, action == SweepAction.Resume ? Reproduction.ResumeSteps(spec) : 0, progress, cancel)
                : RunEnd.Of(action == SweepAction.Resume
                    ? Trainer.Resume(spec.OutDir, Reproduction.ResumeSteps(spec), spec.Device, progress, cancel)
                    : Trainer.Run(spec, progress, cancel));
            outcomes[i] = new Outcome(spec, action, result, watch.Elapsed.TotalSeconds);
            ended?.Invoke(i, outcomes[i]);
        }
        if (children is null)
            for (int i = 0; i < plan.Count; i++) Train(i);
        else
        {
            // Workers take the runs in the plan's order.
            int next = -1;
            var workers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount / children.Threads)).Select(_ => Task.Run(() =>
            {
                for (int i; (i = Interlocked.Increment(ref next)) < plan.Count;) Train(i);
            })).ToArray();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // As one after another: the first error, with its own type (bad input stays exit code 2).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        return [.. outcomes];
    }

    /// <summary>0 when every run finished, 130 (<see cref="TrainCommand.Interrupted"/>) after Ctrl-C, else 1.</summary>
    internal static int ExitCode(IReadOnlyList<Outcome> outcomes, bool stopped) =>
        stopped ? TrainCommand.Interrupted
        : outcomes.All(o => State(o) == RunState.Finished) ? 0 : Incomplete;

    /// <summary>
    /// The summary's rows, one per planned run: finished (this time, or kept from before), interrupted
    /// at its step, failed, diverged, or not started; a number that does not exist is "—".
    /// </summary>
    internal static IReadOnlyList<LearningTable.Row> Rows(IReadOnlyList<Outcome> outcomes, bool stopped) => outcomes.Select(o =>
    {
        string name = Path.GetFileName(o.Spec.OutDir);
        var learning = TryLearning(o.Spec.OutDir);
        long planned = o.Spec.Steps ?? learning?.Steps ?? 0;
        if (o.Result is not { } r)
        {
            if (learning is null) return new LearningTable.Row(name, "not started", 0, planned, null);
            var status = RunDirectory.Open(o.Spec.OutDir).ReadStatus();
            if (o.Action == SweepAction.Skip)
                return new LearningTable.Row(name, $"{Describe(status)} (kept)", learning.Steps, planned, learning, learning.StepsPerSecond, learning.Seconds,
                    status?.State == RunState.Finished);
            return new LearningTable.Row(name, $"not resumed ({Describe(status)})", learning.Steps, planned, learning);
        }
        string state = r.Status.State switch
        {
            RunState.Finished => o.Action == SweepAction.Resume ? "finished (resumed)" : "finished",
            RunState.Diverged => $"diverged at step {r.Status.Step}",
            _ when stopped => $"interrupted at step {r.Steps:N0}",
            _ => $"failed: {r.Status.Reason}",
        };
        bool finished = r.Status.State == RunState.Finished;
        return new LearningTable.Row(name, state, r.Steps, planned, learning, r.StepsPerSecond,
            finished && learning is { Seconds: var s } && double.IsFinite(s) ? s : o.Seconds, finished);
    }).ToList();

    private static RunState? State(Outcome o) =>
        o.Result?.Status.State ?? (File.Exists(Path.Combine(o.Spec.OutDir, TrajectorySchema.ManifestFile)) ? RunDirectory.Open(o.Spec.OutDir).ReadStatus()?.State : null);

    private static string Describe(RunStatus? status) => status is null ? "started" : status.State.ToString().ToLowerInvariant()
        + (status.State == RunState.Diverged && status.Step is { } s ? $" at step {s}" : "");

    private static LearningSummary? TryLearning(string runDir)
    {
        if (!File.Exists(Path.Combine(runDir, TrajectorySchema.ManifestFile))) return null;
        try { return Learning.Read(runDir); }
        catch (InvalidInputException) { return null; }
    }

    private static List<Outcome> WithProgressLines(IReadOnlyList<(RunSpec Run, SweepAction Action)> plan, ChildRun? children, CancellationToken cancel)
    {
        string Tag(int i) => $"[{i + 1}/{plan.Count}] {Path.GetFileName(plan[i].Run.OutDir)}";
        for (int i = 0; i < plan.Count; i++)
            if (plan[i].Action == SweepAction.Skip) Console.WriteLine($"{Tag(i)}: done already, kept");
        var gate = new object();
        return TrainAll(plan, (i, spec, action) =>
        {
            lock (gate) Console.WriteLine($"{Tag(i)}: {(action == SweepAction.Resume ? "resuming from its checkpoint" : "starting")}");
            var lines = new ProgressLines(Tag(i), Console.Out);
            return new SyncProgress<TrainProgress>(p => { lock (gate) lines.Report(p); });
        }, cancel, children, (i, o) =>
        {
            if (children is not null && o.Result is { } r) lock (gate) Console.WriteLine($"{Tag(i)}: {Describe(r.Status)}");
        });
    }

    private static List<Outcome> WithProgressBars(IReadOnlyList<(RunSpec Run, SweepAction Action)> plan, ChildRun? children, CancellationToken cancel)
    {
        List<Outcome> outcomes = [];
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var gate = new object();
                var overall = ctx.AddTask("[bold]all runs[/]", maxValue: plan.Count);
                // The overall bar: runs kept, plus each run's fraction of its steps.
                var done = plan.Select(p => p.Action == SweepAction.Skip ? 1.0 : 0.0).ToArray();
                var tasks = new ProgressTask?[plan.Count];
                overall.Value = done.Sum();
                outcomes = TrainAll(plan, (i, spec, action) =>
                {
                    string name = Path.GetFileName(spec.OutDir);
                    ProgressTask task;
                    lock (gate) task = tasks[i] = ctx.AddTask(Markup.Escape(name));
                    return new SyncProgress<TrainProgress>(p =>
                    {
                        lock (gate)
                        {
                            task.MaxValue = p.Steps;
                            task.Value = p.Step;
                            task.Description = Markup.Escape(p.Step >= p.Steps ? $"{name}  test accuracy…" : $"{name}  loss {p.Loss:F3}  {p.StepsPerSecond:F1} steps/s");
                            done[i] = (double)p.Step / p.Steps;
                            overall.Value = done.Sum();
                        }
                    });
                }, cancel, children, (i, o) =>
                {
                    lock (gate)
                        if (tasks[i] is { } task && o.Result?.Status.State == RunState.Finished)
                        {
                            task.Description = Markup.Escape(Path.GetFileName(o.Spec.OutDir));
                            task.Value = task.MaxValue;
                        }
                });
                overall.Value = outcomes.Count(o => State(o) == RunState.Finished);
            });
        return outcomes;
    }

    private static void Headline(List<Outcome> outcomes, ReportSummary? report, string? warning, bool stopped)
    {
        var rows = Rows(outcomes, stopped);
        ConsoleOutput.Write(LearningTable.Create(rows, withSpeed: true, title: "runs"));
        var manifests = outcomes.Where(o => File.Exists(Path.Combine(o.Spec.OutDir, TrajectorySchema.ManifestFile)))
            .Select(o => (Name: Path.GetFileName(o.Spec.OutDir).Split('_')[0], RunDirectory.Open(o.Spec.OutDir).Manifest)).ToList();
        if (manifests.Count > 0)
        {
            var counts = new Table().Title("symmetry groups").AddColumn("model");
            foreach (var k in Enum.GetValues<SymmetryKind>()) counts.AddColumn(ConsoleOutput.Number(k.Name()));
            foreach (var (name, manifest) in manifests.DistinctBy(m => m.Manifest.Parameters))
                counts.AddRow([Markup.Escape(name), .. Enum.GetValues<SymmetryKind>().Select(k => manifest.SymmetryCounts.GetValueOrDefault(k.Name()).ToString("N0"))]);
            ConsoleOutput.Write(counts);
        }
        if (report is not null)
        {
            var errors = new Table().Title("median relative prediction error over all runs, groups and logged steps")
                .AddColumn("kind").AddColumn("predictor").AddColumn(ConsoleOutput.Number("median (of run medians)")).AddColumn(ConsoleOutput.Number("max"));
            foreach (var g in report.Errors.GroupBy(e => (e.Kind, e.Predictor)))
            {
                var medians = g.Select(e => e.Median).Where(double.IsFinite).ToList();
                if (medians.Count == 0) continue;
                errors.AddRow(g.Key.Kind, Markup.Escape(g.Key.Predictor), Numbers.Scientific(OrderStatistics.Median(medians)), Numbers.Scientific(g.Max(e => e.Max)));
            }
            ConsoleOutput.Write(errors);
        }
        var stuck = rows.Where(r => r.Learning is { DidNotLearn: true }).Select(r => r.Name).ToList();
        if (stuck.Count > 0)
            AnsiConsole.MarkupLine($"[bold red]{stuck.Count} of {rows.Count} runs did not learn[/] (loss within 1 % of ln classes over the last 50 steps): {Markup.Escape(string.Join(", ", stuck))}");
        if (stopped)
            AnsiConsole.MarkupLine("[yellow]stopped by Ctrl-C:[/] run the same command again to continue (finished runs are kept, the interrupted run resumes from its checkpoint)");
        if (warning is not null) AnsiConsole.MarkupLine($"[bold red]{Markup.Escape(warning)}[/]");
        if (report is not null)
            AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(Path.GetFullPath(report.HtmlPath))}[/] (and {Markup.Escape(Path.GetFullPath(report.MarkdownPath))}, {report.FigureFiles.Count} figure files)");
    }
}
