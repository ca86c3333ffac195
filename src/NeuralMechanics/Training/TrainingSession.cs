using System.Diagnostics;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Python;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training.Schedules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// One tracked training run of any network, step by step: it owns the optimizer, the quantities it
/// measures (<see cref="ITrackedQuantity"/>, registered in <see cref="TrainingSessionOptions"/>), the run
/// directory and its tables, checkpoints and status.
/// <see cref="Trainer"/> builds one from a <see cref="RunSpec"/>; use it directly to drive the
/// steps yourself (<see cref="Step"/>) or to run to the end (<see cref="Run"/>).
/// </summary>
/// <remarks>
/// A step is: draw a batch, forward and backward, hand the step to every quantity whose schedule
/// includes it, in registration order (the metrics first: a non-finite loss stops the step there;
/// then the tracker measures θₙ, gₙ, vₙ before the update), set the step's learning rate, update.
/// Values the quantities want on the host go through one shared <see cref="DeviceReader"/>.
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
    private readonly ITrackedQuantity[] quantities;
    private readonly OptimizerView[] views;
    private readonly TrajectoryWriter[] writers;
    private readonly TrainingMetrics? metrics;
    private readonly TensorBoardLog board;
    private readonly DeviceReader reader = new();
    private readonly StepContext context;
    private readonly ITrackedQuantity[] graphNeeded;
    // In QuantitySetup.Parameters' order: StepContext.Gradients follows it.
    private readonly TorchSharp.Modules.Parameter[] graphParameters;
    private readonly List<string> notes;
    private readonly Stopwatch watch = new();
    private readonly long start;
    private RunStatus? stopped;
    private bool dropped, disposed;
    // The test accuracy of the state after the last update when a quantity (the eval table) measured it: the result reuses it.
    private double? finalTest;

    private TrainingSession(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy, IEnumerable<string> modelNotes, bool resume, TrainingSessionOptions? options)
    {
        this.network = network;
        this.batches = batches;
        this.testAccuracy = testAccuracy;
        loss = architecture.Loss;
        Spec = spec.Resolved(batches.BatchesPerEpoch);
        Analysis = SymmetryDiscovery.Discover(architecture);
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
            throw new InvalidInputException($"{spec.OutDir}: holds a run already; continue it (nmech train --resume {spec.OutDir}; from code Trainer.Resume or TrainingSession.Resume) or choose another output folder (--out)");

        board = new TensorBoardLog(Directory.TensorBoardFolder);
        reader.ReadEvery = Spec.Device == "cuda" ? 50 : 1;
        var setup = new QuantitySetup(Spec, architecture, Analysis, network, Optimizer, Directory, board, reader, testAccuracy is null ? null : Test, Diverged);
        quantities = (options ?? new TrainingSessionOptions()).Quantities.Select(create => create(setup)).OfType<ITrackedQuantity>().ToArray();
        views = quantities.Select(q => new OptimizerView(Optimizer, q.Needs)).ToArray();
        writers = setup.Opened.Select(t => t.Writer).ToArray();
        metrics = quantities.OfType<TrainingMetrics>().FirstOrDefault();
        Tracker = quantities.OfType<SymmetryTracker>().FirstOrDefault();
        Charges = quantities.OfType<MatrixCharges>().FirstOrDefault();
        if (quantities.Any(q => q.Needs.HasFlag(QuantityNeeds.Update))) Optimizer.RecordUpdates = true;
        graphNeeded = quantities.Where(q => q.Needs.HasFlag(QuantityNeeds.Graph)).ToArray();
        graphParameters = setup.Parameters.Select(p => p.Param).ToArray();
        context = new StepContext(network, reader);

        var resumeNotes = new List<string>();
        if (resume)
        {
            var previous = Directory.ReadStatus();
            if (previous is { State: RunState.Running, Process: { } owner })
                throw InvalidInputException.InFile(spec.OutDir, TrajectorySchema.StatusFile,
                    $"the run is still running in process {owner.Id} on {owner.Host}; wait for it or stop it before resuming");
            if (previous is { State: RunState.Interrupted } interrupted) resumeNotes.Add($"resumed an interrupted run: {interrupted.Reason}");
            if (File.Exists(Directory.CheckpointPath))
            {
                var state = Checkpoint.Load(Directory.CheckpointPath, network, Optimizer);
                start = state.Step;
                foreach (var q in quantities) q.LoadState(state.Tracker);
                batches.Seek(state.DataPosition);
            }
            // Killed before its first checkpoint: the network is as initialised and the data at its
            // start, so the run starts again from step 0 (its rows are dropped below).
            else resumeNotes.Add("no checkpoint yet: started again from step 0");
        }
        // Rows past the checkpoint (or, starting over in a folder killed before its first
        // checkpoint, every row) would otherwise be stored twice.
        foreach (var w in writers) w.DropRowsFromStep(start);
        StepIndex = start;
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
    /// <param name="testAccuracy">Evaluates the network on test data, during the run (<see cref="RunSpec.EvalEvery"/>) and at the end (null: no test accuracy).</param>
    /// <param name="notes">Notes to keep with the result (e.g. how the model was adapted).</param>
    /// <param name="options">The quantities to measure (null: the built-in ones).</param>
    public static TrainingSession Start(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy = null, IEnumerable<string>? notes = null, TrainingSessionOptions? options = null)
    {
        spec.ValidateTraining();
        if (string.IsNullOrEmpty(spec.OutDir)) throw new InvalidInputException("--out: expected a run directory, found none");
        return new TrainingSession(network, architecture, spec, batches, testAccuracy, notes ?? [], resume: false, options);
    }

    /// <summary>
    /// Continues the run in <see cref="RunSpec.OutDir"/> from its checkpoint (the same network, batches
    /// and quantities as when it started); a run killed before its first checkpoint starts again from step 0.
    /// </summary>
    public static TrainingSession Resume(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, IBatchSource batches,
        Func<nn.Module<Tensor, Tensor>, double>? testAccuracy = null, IEnumerable<string>? notes = null, TrainingSessionOptions? options = null)
    {
        spec.ValidateTraining();
        return new TrainingSession(network, architecture, spec, batches, testAccuracy, notes ?? [], resume: true, options);
    }

    /// <summary>The specification as recorded (steps, logging and evaluation intervals and schedule horizon resolved).</summary>
    public RunSpec Spec { get; }
    /// <summary>The run directory.</summary>
    public RunDirectory Directory { get; }
    /// <summary>The symmetry groups found.</summary>
    public SymmetryAnalysis Analysis { get; }
    /// <summary>The optimizer (PyTorch semantics) built from <see cref="RunSpec.Optimizer"/>.</summary>
    public IOptimizer Optimizer { get; }
    /// <summary>The quantities measured, in the order they compute.</summary>
    public IReadOnlyList<ITrackedQuantity> Quantities => quantities;
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
    /// Steps whose values (loss and accuracy, the tracker's measurements, …) stay on the device before
    /// one read brings them to the host: 1 on the CPU (a read costs nothing there, and a non-finite loss
    /// stops the run before its update), 50 on CUDA, where every read waits for the device's queue. A
    /// loss found non-finite later stops the run at its step all the same: the rows of the steps after
    /// it are dropped, and no checkpoint is written past it.
    /// </summary>
    internal int ReadEvery
    {
        get => reader.ReadEvery;
        set => reader.ReadEvery = value;
    }

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
        bool logged = step % Spec.LogEvery == 0;
        ForwardBackward(step, logged, final: false);
        if (!Compute(logged, final: false))
        {
            watch.Stop();
            return false;
        }
        Optimizers.ApplySchedule(Optimizer, Spec.Optimizer.Schedule, step);
        Optimizer.Step();
        StepIndex = step + 1;
        bool checkpoint = Spec.CheckpointEvery > 0 && StepIndex % Spec.CheckpointEvery == 0 && StepIndex < Steps;
        if (checkpoint && Read()) SaveCheckpoint(StepIndex);
        watch.Stop();
        return stopped is null;
    }

    /// <summary>Draws a batch, runs it forward and backward (gradients in .grad) and fills the step's context.</summary>
    private void ForwardBackward(long step, bool logged, bool final)
    {
        // The graph is kept (for double backward) only on the steps a quantity that needs it computes.
        bool keepGraph = graphNeeded.Any(q => q.Schedule.Includes(step, logged, final));
        var (x, y) = batches.Next();
        if (channelsLast) x = InputLayout.ChannelsLast(x);
        var output = network.forward(x);
        var value = Losses.For(loss)(output, y);
        Optimizer.ZeroGrad();
        context.Gradients = keepGraph ? GradientsWithGraph(value) : null;
        if (!keepGraph) value.backward();
        context.Step = step;
        context.Final = final;
        context.LearningRate = clock.LearningRate(final ? Math.Max(0, step - 1) : step);
        context.Time = clock.Time(step);
        (context.Input, context.Target, context.Output, context.Loss) = (x, y, output, value);
    }

    /// <summary>
    /// gₙ with their graph, for double backward, by <c>autograd.grad</c> on the step's one forward pass;
    /// each parameter's <c>.grad</c> gets the same values detached. Not <c>backward(create_graph)</c>:
    /// that leaves a graph in <c>.grad</c> referring back to the parameter (a reference cycle libtorch
    /// warns of) and the optimizer would update from a tensor that holds the step's graph.
    /// </summary>
    private Tensor[] GradientsWithGraph(Tensor value)
    {
        var live = graphParameters.Where(p => p.requires_grad).Select(p => (Tensor)p).ToList();
        var taken = autograd.grad([value], live, retain_graph: true, create_graph: true, allow_unused: true);
        var grads = new Tensor[graphParameters.Length];
        for (int i = 0, k = 0; i < grads.Length; i++)
        {
            var p = graphParameters[i];
            // A frozen parameter, or one the loss does not reach: no .grad, as backward() would leave it.
            var g = p.requires_grad ? taken[k++] : null;
            if (g is null || g.IsInvalid) { grads[i] = zeros_like(p); continue; }
            grads[i] = g;
            p.grad = g.detach();
        }
        return grads;
    }

    /// <summary>
    /// The test accuracy as quantities see it: a pass over the test split, remembered when it is of
    /// this network after the last update, so <see cref="Finish"/> does not pass over the split again.
    /// </summary>
    private double Test(nn.Module<Tensor, Tensor> net)
    {
        double value = testAccuracy!(net);
        if (context.Final && ReferenceEquals(net, network)) finalTest = value;
        return value;
    }

    /// <summary>Hands the step to each quantity that computes at it, in order; false when the run stopped (a non-finite loss).</summary>
    private bool Compute(bool logged, bool final)
    {
        context.Logged = logged;
        for (int i = 0; i < quantities.Length && stopped is null; i++)
        {
            if (!quantities[i].Schedule.Includes(context.Step, logged, final)) continue;
            context.Optimizer = views[i];
            quantities[i].Compute(context);
        }
        return Settle();
    }

    // The metrics found a non-finite loss at step (in some read): the run stops there.
    private void Diverged(long step, double value)
    {
        if (stopped is not null) return;
        stopped = RunStatus.Diverged(step, value);
        StepIndex = step;
        reader.StopAt(step);
    }

    /// <summary>Brings every pending value to the host; false when the run stopped.</summary>
    private bool Read()
    {
        reader.Flush();
        return Settle();
    }

    /// <summary>
    /// After a divergence found in a deferred read, the steps after it ran on before the read: their
    /// rows go. True while the run goes on.
    /// </summary>
    private bool Settle()
    {
        if (stopped is not { State: RunState.Diverged, Step: long step }) return stopped is null;
        if (!dropped && ReadEvery > 1)
        {
            dropped = true;
            FlushRows();
            foreach (var w in writers) w.DropRowsFromStep(step);
        }
        return false;
    }

    /// <summary>
    /// Runs the remaining steps, then ends the run: the final checkpoint, one last observation of the
    /// state after the last update, the test accuracy and the final status.
    /// </summary>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancel">Stops between steps; the run is then interrupted, keeps a checkpoint there and can be resumed.</param>
    public TrainResult Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        while (stopped is null && StepIndex < Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                stopped = RunStatus.Interrupted($"cancelled at step {StepIndex}; continue with: nmech train --resume {Directory.Root}");
                break;
            }
            if (!Step()) break;
            var (lastLoss, lastAccuracy) = metrics?.Last ?? (double.NaN, double.NaN);
            progress?.Report(new TrainProgress(StepIndex, Steps, lastLoss, lastAccuracy, (StepIndex - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9)));
        }
        return Finish();
    }

    private TrainResult Finish()
    {
        Read();
        double speed = (StepIndex - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        double test = double.NaN;
        var (lastLoss, lastAccuracy) = metrics?.Last ?? (double.NaN, double.NaN);
        if (stopped is null)
        {
            // Saved before the final observation draws a batch, advances the trackers and BatchNorm's
            // running statistics: a run extended from here then equals one that ran longer.
            SaveCheckpoint(Steps);
            // The state after the last update, so every trajectory ends where training ended.
            using (var scope = NewDisposeScope())
            {
                ForwardBackward(Steps, logged: true, final: true);
                if (double.IsFinite(HostReads.ToDoubles(context.Loss.detach().to(ScalarType.Float64))[0])) Compute(logged: true, final: true);
            }
            Optimizer.ZeroGrad();
            // The final observation's training-mode pass moved BatchNorm's running statistics once
            // more: the file for PyTorch holds the state the test accuracy is measured on.
            WeightsFile.Write(Directory.WeightsPath, network, Steps, Spec.Model, trainingPasses: Steps + 1);
            if (testAccuracy is not null)
            {
                test = finalTest ?? testAccuracy(network);
                board.AddScalar("test/accuracy", test, Steps);
            }
            stopped = RunStatus.Finished(new RunOutcome(Steps, lastLoss, lastAccuracy, test, speed, watch.Elapsed.TotalSeconds));
        }
        else if (stopped.State == RunState.Interrupted) SaveCheckpoint(StepIndex);
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
        // The same state for PyTorch; each of the `at` updates ran one training-mode forward pass.
        WeightsFile.Write(Directory.WeightsPath, network, at, Spec.Model);
    }

    /// <summary>Deferred values to the host and every buffered row to its table.</summary>
    private void FlushRows()
    {
        reader.Flush();
        foreach (var w in writers) w.Flush();
        board.Flush();
    }

    /// <summary>Writes the rows still buffered and closes the tables (a run not finished by <see cref="Run"/> stays resumable from its last checkpoint).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Read();
        foreach (var w in writers) w.Dispose();
        board.Dispose();
        foreach (var q in quantities.OfType<IDisposable>()) q.Dispose();
        reader.Dispose();
    }
}
