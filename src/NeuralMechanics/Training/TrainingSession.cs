using System.Diagnostics;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training.Schedules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// One tracked training run of any network, step by step: it owns the optimizer, the
/// <see cref="SymmetryTracker"/>, the run directory and its tables, checkpoints and status.
/// <see cref="Trainer"/> builds one from a <see cref="RunSpec"/>; use it directly to drive the
/// steps yourself (<see cref="Step"/>) or to run to the end (<see cref="Run"/>).
/// </summary>
/// <remarks>
/// A step is: draw a batch, forward and backward, check the loss is finite, let the tracker measure
/// θₙ, gₙ, vₙ (before the update), set the step's learning rate, update, write the metrics row.
/// Every <see cref="RunSpec.CheckpointEvery"/> steps the model, optimizer buffers, tracker, data
/// position and RNG go to <c>checkpoint.bin</c>, so a killed run resumes bit for bit on the CPU.
/// </remarks>
public sealed class TrainingSession : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> network;
    private readonly IBatchSource batches;
    private readonly Func<nn.Module<Tensor, Tensor>, double>? testAccuracy;
    private readonly LossKind loss;
    private readonly ScheduleClock clock;
    private readonly TrajectoryWriter metrics;
    private readonly TrajectoryWriter?[] writers;
    private readonly ITrackedQuantity[] quantities;
    private readonly TensorBoardLog board;
    private readonly List<string> notes;
    private readonly Stopwatch watch = new();
    private readonly long start;
    private double lastLoss = double.NaN, lastAccuracy = double.NaN;
    // Steps whose loss and accuracy ([2], float64) are still on the device, oldest first.
    private readonly List<(long Step, Tensor Values)> pendingMetrics = [];
    private RunStatus? stopped;
    private bool disposed;

    private TrainingSession(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy, IEnumerable<string> modelNotes, bool resume)
    {
        this.network = network;
        this.batches = batches;
        this.testAccuracy = testAccuracy;
        loss = architecture.Loss;
        Spec = spec.Resolved(batches.BatchesPerEpoch);
        Analysis = SymmetryDiscovery.Discover(architecture);
        var named = network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        Optimizer = Optimizers.Create(network, Spec.Optimizer);
        clock = new ScheduleClock(Spec.Optimizer);
        long[] shape = architecture.InputShape;
        var manifest = new RunManifest
        {
            Spec = Spec, InputShape = shape.Select(s => (int)s).ToArray(), Classes = (int)architecture.OutputShape[^1],
            Parameters = architecture.ParameterCount,
            SymmetryCounts = Enum.GetValues<SymmetryKind>().ToDictionary(k => k.Name(), k => (int)Analysis.Count(k)),
            SymmetryLayers = Analysis.Sets.Select(s => new LayerGroupCount(s.Layer, s.Kind.Name(), (int)s.Count)).ToList(),
            Versions = VersionInfo.All(),
        };
        Directory = RunDirectory.Create(spec.OutDir, manifest);
        if (Directory.Existed && !resume && File.Exists(Directory.CheckpointPath))
            throw new InvalidInputException($"{spec.OutDir}: holds a run already; continue it with --resume {spec.OutDir} or choose another --out");

        bool track = Spec.Track;
        metrics = new TrajectoryWriter(Directory.MetricsFolder, TrajectorySchema.MetricsColumns);
        var layers = track ? new TrajectoryWriter(Directory.LayersFolder, TrajectorySchema.LayersColumns) : null;
        var neurons = track ? new TrajectoryWriter(Directory.NeuronsFolder, TrajectorySchema.NeuronsColumns) : null;
        var samples = track ? new TrajectoryWriter(Directory.SamplesFolder, TrajectorySchema.SamplesColumns) : null;
        // Only models with scale groups (a normalisation after a layer) have an equilibrium to show.
        var equilibrium = track && Analysis.Count(SymmetryKind.Scale) > 0
            ? new TrajectoryWriter(Directory.EquilibriumFolder, TrajectorySchema.EquilibriumColumns) : null;
        board = new TensorBoardLog(Directory.TensorBoardFolder);
        Tracker = track
            ? new SymmetryTracker(Analysis, Optimizer, Spec.Optimizer, named, new TrackerSinks(layers, neurons, samples, board, equilibrium), Spec.Seed)
            : null;
        Charges = track && MatrixCharges.Applies(architecture)
            ? new MatrixCharges(architecture, Spec.Optimizer, new TrajectoryWriter(Directory.ChargesFolder, TrajectorySchema.ChargesColumns),
                new TrajectoryWriter(Directory.ChargeMatricesFolder, TrajectorySchema.ChargeMatricesColumns))
            : null;
        writers = [metrics, layers, neurons, samples, equilibrium, Charges?.Table, Charges?.Matrices];
        quantities = new ITrackedQuantity?[] { Tracker, Charges }.OfType<ITrackedQuantity>().ToArray();

        var resumeNotes = new List<string>();
        if (resume)
        {
            var previous = Directory.ReadStatus();
            if (previous is { State: RunState.Running, Process: { } owner })
                throw InvalidInputException.InFile(spec.OutDir, TrajectorySchema.StatusFile,
                    $"the run is still running in process {owner.Id} on {owner.Host}; wait for it or stop it before resuming");
            if (previous is { State: RunState.Interrupted } interrupted) resumeNotes.Add($"resumed an interrupted run: {interrupted.Reason}");
            if (!File.Exists(Directory.CheckpointPath))
                throw InvalidInputException.InFile(spec.OutDir, TrajectorySchema.CheckpointFile, "no checkpoint to resume from");
            var state = Checkpoint.Load(Directory.CheckpointPath, network, Optimizer);
            start = state.Step;
            foreach (var q in quantities) q.LoadState(state.Tracker);
            batches.Seek(state.DataPosition);
        }
        // Rows past the checkpoint (or, starting over in a folder killed before its first
        // checkpoint, every row) would otherwise be stored twice.
        foreach (var w in writers) w?.DropRowsFromStep(start);
        StepIndex = start;
        ReadEvery = Spec.Device == "cuda" ? 50 : 1;
        channelsLast = InputLayout.ChannelsLastFor(network, architecture);
        notes = [.. modelNotes, .. Analysis.Notes, .. resumeNotes];
        Directory.WriteStatus(RunStatus.Running());
        network.train();
    }

    /// <summary>
    /// Starts a run of <paramref name="network"/> (described by <paramref name="architecture"/>, see
    /// <see cref="Architecture.Describe"/>) in <see cref="RunSpec.OutDir"/>, which must be empty or hold
    /// a run of the same specification that has no checkpoint yet.
    /// </summary>
    /// <param name="network">The network, on the training device, initialised (seed torch first).</param>
    /// <param name="architecture">Its description; its parameters must be the network's live ones.</param>
    /// <param name="spec">What to run; its model and data names are recorded, not used to build anything.</param>
    /// <param name="batches">Training batches on the network's device.</param>
    /// <param name="testAccuracy">Evaluates the trained network at the end (null: no test accuracy).</param>
    /// <param name="notes">Notes to keep with the result (e.g. how the model was adapted).</param>
    public static TrainingSession Start(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy = null, IEnumerable<string>? notes = null)
    {
        spec.ValidateTraining();
        if (string.IsNullOrEmpty(spec.OutDir)) throw new InvalidInputException("--out: expected a run directory, found none");
        return new TrainingSession(network, architecture, spec, batches, testAccuracy, notes ?? [], resume: false);
    }

    /// <summary>Continues the run in <see cref="RunSpec.OutDir"/> from its checkpoint (the same network and batches as when it started).</summary>
    public static TrainingSession Resume(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy = null, IEnumerable<string>? notes = null)
    {
        spec.ValidateTraining();
        return new TrainingSession(network, architecture, spec, batches, testAccuracy, notes ?? [], resume: true);
    }

    /// <summary>The specification as recorded (steps, logging interval and schedule horizon resolved).</summary>
    public RunSpec Spec { get; }
    /// <summary>The run directory.</summary>
    public RunDirectory Directory { get; }
    /// <summary>The symmetry groups found.</summary>
    public SymmetryAnalysis Analysis { get; }
    /// <summary>The optimizer (PyTorch semantics) built from <see cref="RunSpec.Optimizer"/>.</summary>
    public IOptimizer Optimizer { get; }
    /// <summary>The tracker, or null when <see cref="RunSpec.Track"/> is off.</summary>
    public SymmetryTracker? Tracker { get; }
    /// <summary>The attention heads' matrix charges, or null (untracked, or no attention).</summary>
    public MatrixCharges? Charges { get; }
    /// <summary>The index of the next update (0 at the start, the checkpoint's step after a resume).</summary>
    public long StepIndex { get; private set; }
    /// <summary>Number of updates of the run.</summary>
    public long Steps => Spec.Steps!.Value;
    /// <summary>Set when a step met a non-finite loss: the run stopped there.</summary>
    public RunStatus? Stopped => stopped;

    /// <summary>
    /// Steps whose loss and accuracy stay on the device before one read brings them to the host and
    /// checks them: 1 on the CPU (a read costs nothing there, and a non-finite loss stops the run
    /// before its update), 50 on CUDA, where every read waits for the device's queue. A loss found
    /// non-finite later stops the run at its step all the same: the rows of the steps after it are
    /// dropped, and no checkpoint is written past it.
    /// </summary>
    internal int ReadEvery { get; set; }

    // Image batches go in channels-last (InputLayout): a CPU convolutional network trains faster so.
    private readonly bool channelsLast;

    /// <summary>
    /// One update. Returns false (and does nothing) once the run has all its steps or has stopped
    /// (a non-finite loss: <see cref="Stopped"/> says where, the rows up to there are kept).
    /// </summary>
    public bool Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (stopped is not null || StepIndex >= Steps) return false;
        watch.Start();
        long step = StepIndex;
        using var scope = NewDisposeScope();
        var (x, y) = batches.Next();
        if (channelsLast) x = InputLayout.ChannelsLast(x);
        pendingMetrics.Add((step, Trainer.ForwardBackwardOnDevice(network, Optimizer, x, y, loss).DetachFromDisposeScope()));
        if (pendingMetrics.Count >= ReadEvery && !ReadMetrics())
        {
            watch.Stop();
            return false;
        }
        foreach (var q in quantities) q.Observe(step, step % Spec.LogEvery == 0);
        Optimizers.ApplySchedule(Optimizer, Spec.Optimizer.Schedule, step);
        Optimizer.Step();
        StepIndex = step + 1;
        bool checkpoint = Spec.CheckpointEvery > 0 && StepIndex % Spec.CheckpointEvery == 0 && StepIndex < Steps;
        if (checkpoint && ReadMetrics()) SaveCheckpoint(StepIndex);
        watch.Stop();
        return stopped is null;
    }

    /// <summary>
    /// Brings the pending steps' loss and accuracy to the host in one read and writes their rows;
    /// false when one is non-finite: the run then stops at that step and the rows of the steps after it are dropped.
    /// </summary>
    private bool ReadMetrics()
    {
        if (pendingMetrics.Count == 0) return stopped is null;
        double[] values;
        using (var scope = NewDisposeScope())
            values = HostReads.ToDoubles(stack(pendingMetrics.Select(p => p.Values).ToArray()));
        var steps = pendingMetrics.Select(p => p.Step).ToArray();
        foreach (var (_, t) in pendingMetrics) t.Dispose();
        pendingMetrics.Clear();
        for (int i = 0; i < steps.Length; i++)
        {
            long step = steps[i];
            double value = values[2 * i], accuracy = values[2 * i + 1];
            if (!double.IsFinite(value))
            {
                stopped = RunStatus.Diverged(step, value);
                StepIndex = step;
                if (ReadEvery > 1)
                {
                    // Steps after it ran on before the read: their rows go.
                    FlushRows();
                    foreach (var w in writers) w?.DropRowsFromStep(step);
                }
                return false;
            }
            lastLoss = value;
            lastAccuracy = accuracy;
            metrics.AddRow().Long(step).Double(clock.Time(step)).Double(value).Double(accuracy).Double(clock.LearningRate(step)).End();
            if (step % Spec.LogEvery == 0) { board.AddScalar("train/loss", value, step); board.AddScalar("train/accuracy", accuracy, step); }
        }
        return true;
    }

    /// <summary>
    /// Runs the remaining steps, then ends the run: the final checkpoint, one last observation of the
    /// state after the last update, the test accuracy and the final status.
    /// </summary>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancel">Stops between steps; the run keeps a checkpoint there and can be resumed.</param>
    public TrainResult Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        while (stopped is null && StepIndex < Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                stopped = RunStatus.Failed($"interrupted at step {StepIndex}; continue with: nmech train --resume {Directory.Root}");
                break;
            }
            if (!Step()) break;
            progress?.Report(new TrainProgress(StepIndex, Steps, lastLoss, lastAccuracy, (StepIndex - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9)));
        }
        return Finish();
    }

    private TrainResult Finish()
    {
        ReadMetrics();
        double speed = (StepIndex - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        double test = double.NaN;
        if (stopped is null)
        {
            // Saved before the final observation draws a batch, advances the trackers and BatchNorm's
            // running statistics: a run extended from here then equals one that ran longer.
            SaveCheckpoint(Steps);
            // The state after the last update, so every trajectory ends where training ended.
            using (var scope = NewDisposeScope())
            {
                var (x, y) = batches.Next();
                if (channelsLast) x = InputLayout.ChannelsLast(x);
                var (finalLoss, _) = Trainer.ForwardBackward(network, Optimizer, x, y, loss);
                if (double.IsFinite(finalLoss))
                    foreach (var q in quantities) q.Observe(Steps, log: true);
            }
            Optimizer.ZeroGrad();
            if (testAccuracy is not null)
            {
                test = testAccuracy(network);
                board.AddScalar("test/accuracy", test, Steps);
            }
            stopped = RunStatus.Finished(new RunOutcome(Steps, lastLoss, lastAccuracy, test, speed, watch.Elapsed.TotalSeconds));
        }
        else if (stopped.State == RunState.Failed) SaveCheckpoint(StepIndex);   // an interrupted run can be resumed
        // Every row is in its table before the status says the run ended (a diverged run keeps its rows).
        FlushRows();
        Directory.WriteStatus(stopped);
        List<string> all = [.. notes, .. quantities.SelectMany(q => q.Unavailable).Select(u => "no prediction: " + u)];
        return new TrainResult(Directory.Root, stopped, StepIndex, lastLoss, test, speed, Analysis,
            Tracker?.Errors.Rows() ?? [], Tracker?.StateBytes ?? 0, all);
    }

    private void SaveCheckpoint(long at)
    {
        FlushRows();
        var state = new Dictionary<string, double[]>();
        foreach (var q in quantities)
            foreach (var (key, value) in q.SaveState()) state.Add(key, value);
        Checkpoint.Save(Directory.CheckpointPath, at, network, Optimizer, state, batches.Position);
    }

    /// <summary>Deferred values to the host and every buffered row to its table.</summary>
    private void FlushRows()
    {
        foreach (var q in quantities) q.Flush();
        foreach (var w in writers) w?.Flush();
        board.Flush();
    }

    /// <summary>Writes the rows still buffered and closes the tables (a run not finished by <see cref="Run"/> stays resumable from its last checkpoint).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        ReadMetrics();
        foreach (var q in quantities) q.Flush();
        foreach (var w in writers) w?.Dispose();
        board.Dispose();
        Charges?.Dispose();
    }
}
