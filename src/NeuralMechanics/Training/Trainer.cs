using System.Diagnostics;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// Trains a zoo model with the optimizer and schedule of its <see cref="OptimizerSettings"/> while the <see cref="SymmetryTracker"/>
/// records every symmetry group at every step, into a run directory that survives interruption:
/// checkpoints every N steps (model, optimizer buffers, tracker, data position, RNG), status
/// kept current, and a non-finite loss stops the run with its data kept.
/// </summary>
public static class Trainer
{
    /// <summary>Starts a run in <see cref="TrainConfig.OutDir"/> (which must be empty or hold the same configuration).</summary>
    public static TrainResult Run(TrainConfig config, IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        config.Validate();
        return Execute(config, resume: false, progress, cancel);
    }

    /// <summary>
    /// Continues the run in <paramref name="runDir"/> from its last checkpoint; with
    /// <paramref name="steps"/> it may also be extended. The result is the same, step for step,
    /// as an uninterrupted run on the CPU.
    /// </summary>
    public static TrainResult Resume(string runDir, long? steps = null, string? device = null,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        var m = RunDirectory.Open(runDir).Manifest;
        var config = FromManifest(m, runDir) with { Steps = steps ?? m.Steps, Device = device ?? m.Device };
        config.Validate();
        return Execute(config, resume: true, progress, cancel);
    }

    /// <summary>The configuration a manifest describes.</summary>
    public static TrainConfig FromManifest(RunManifest m, string outDir)
    {
        string Option(string key, string fallback) => m.ModelOptions.TryGetValue(key, out var v) ? v : fallback;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new TrainConfig
        {
            Model = m.Model,
            ModelOptions = new ModelOptions(
                double.Parse(Option("width", "1"), inv), int.Parse(Option("depth", "2"), inv), int.Parse(Option("hidden", "256"), inv),
                Option("activation", "relu"), Option("norm", "none"), double.Parse(Option("dropout", "0.5"), inv),
                // Runs recorded before the option existed were initialised the reference way.
                Option("init", Initialisation.Reference)),
            Data = m.Data, DataDir = m.DataDir, TrainLimit = m.TrainLimit, Loss = LossKindNames.Parse(m.Loss),
            Optimizer = m.Optimizer, BatchSize = m.BatchSize, Steps = m.Steps, Seed = m.Seed, LogEvery = m.LogEvery,
            CheckpointEvery = m.CheckpointEvery, Device = m.Device, Track = m.Tracked, OutDir = outDir,
        };
    }

    /// <summary>
    /// A cosine schedule spans the run's steps, fixed when the run starts (the manifest keeps it), so
    /// that resuming does not reshape it; a run extended past it is refused.
    /// </summary>
    private static OptimizerSettings WithHorizon(OptimizerSettings settings, long steps)
    {
        var s = settings.Schedule;
        if (s.Kind != ScheduleKind.Cosine) return settings;
        if (s.Horizon == 0) return settings with { Schedule = s with { Horizon = steps } };
        if (steps > s.Horizon)
            throw new InvalidInputException($"--steps: the run's cosine schedule ends at step {s.Horizon} (η = 0 there); expected --steps ≤ {s.Horizon}, found {steps}");
        return settings;
    }

    private static TrainResult Execute(TrainConfig config, bool resume, IProgress<TrainProgress>? progress, CancellationToken cancel)
    {
        // Before any tensor operation: the first matrix product already fixes oneDNN's instruction set.
        NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(config.Model, config.ModelOptions));
        var device = Devices.Resolve(config.Device);
        torch.manual_seed(config.Seed);
        var split = DataSets.Load(config.Data, config.DataDir, config.Seed);
        var train = config.TrainLimit is int limit ? split.Train.Take(limit) : split.Train;
        var norm = Normalization.Compute(train);
        long[] shape = [train.Channels, train.Height, train.Width];
        var model = ModelZoo.Create(config.Model, shape, train.Classes, config.ModelOptions, config.Loss, device: device);
        var network = model.Network;
        var analysis = SymmetryDiscovery.Discover(model.Architecture);
        var named = network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        using var loader = new BatchLoader(train, config.BatchSize, norm, device, shuffle: true, seed: config.Seed);
        long steps = config.Steps ?? (long)Math.Ceiling(config.Epochs * loader.BatchesPerEpoch);
        var settings = WithHorizon(config.Optimizer, steps);
        var optimizer = Optimizers.Create(network, settings);
        var clock = new ScheduleClock(settings);
        int logEvery = config.LogEvery > 0 ? config.LogEvery : (int)Math.Max(1, (steps + 499) / 500);
        var loss = config.Loss;

        var manifest = new RunManifest
        {
            Model = model.Name, ModelOptions = config.ModelOptions.ToDictionary(), Data = config.Data, DataDir = config.DataDir,
            TrainLimit = config.TrainLimit, InputShape = shape.Select(s => (int)s).ToArray(), Classes = train.Classes,
            Loss = loss.Name(), Optimizer = settings, BatchSize = config.BatchSize, Steps = steps, Seed = config.Seed,
            LogEvery = logEvery, CheckpointEvery = config.CheckpointEvery, Device = device.type.ToString().ToLowerInvariant(),
            Tracked = config.Track, Parameters = model.Architecture.ParameterCount,
            SymmetryCounts = Enum.GetValues<SymmetryKind>().ToDictionary(k => k.Name(), k => (int)analysis.Count(k)),
            SymmetryLayers = analysis.Sets.Select(s => new LayerGroupCount(s.Layer, s.Kind.Name(), (int)s.Count)).ToList(),
            Versions = VersionInfo.All(),
        };
        var run = RunDirectory.Create(config.OutDir, manifest);
        if (run.Existed && !resume && File.Exists(run.CheckpointPath))
            throw new InvalidInputException($"{config.OutDir}: holds a run already; continue it with --resume {config.OutDir} or choose another --out");

        using var metrics = new TrajectoryWriter(run.MetricsFolder, TrajectorySchema.MetricsColumns);
        using var layers = config.Track ? new TrajectoryWriter(run.LayersFolder, TrajectorySchema.LayersColumns) : null;
        using var neurons = config.Track ? new TrajectoryWriter(run.NeuronsFolder, TrajectorySchema.NeuronsColumns) : null;
        using var samples = config.Track ? new TrajectoryWriter(run.SamplesFolder, TrajectorySchema.SamplesColumns) : null;
        // Only models with scale groups (a normalisation after a layer) have an equilibrium to show.
        using var equilibrium = config.Track && analysis.Count(SymmetryKind.Scale) > 0 ? new TrajectoryWriter(Path.Combine(run.Root, TrajectorySchema.EquilibriumFile), TrajectorySchema.EquilibriumColumns) : null;
        var board = new TensorBoardLog(run.TensorBoardFolder);
        var tracker = config.Track
            ? new SymmetryTracker(analysis, optimizer, settings, named, new TrackerSinks(layers, neurons, samples, board, equilibrium), config.Seed)
            : null;

        long start = 0;
        var resumeNotes = new List<string>();
        if (resume)
        {
            var previous = run.ReadStatus();
            if (previous is { State: RunState.Running, Process: { } owner })
                throw InvalidInputException.InFile(config.OutDir, TrajectorySchema.StatusFile,
                    $"the run is still running in process {owner.Id} on {owner.Host}; wait for it or stop it before resuming");
            if (previous is { State: RunState.Interrupted } interrupted) resumeNotes.Add($"resumed an interrupted run: {interrupted.Reason}");
            if (!File.Exists(run.CheckpointPath))
                throw InvalidInputException.InFile(config.OutDir, TrajectorySchema.CheckpointFile, "no checkpoint to resume from");
            var state = Checkpoint.Load(run.CheckpointPath, network, optimizer);
            start = state.Step;
            tracker?.LoadState(state.Tracker);
            loader.Seek(state.DataPosition);
        }
        // Rows past the checkpoint (or, starting over in a folder killed before its first
        // checkpoint, every row) would otherwise be stored twice.
        TrajectoryWriter?[] writers = [metrics, layers, neurons, samples, equilibrium];
        foreach (var w in writers) w?.DropRowsFromStep(start);
        run.WriteStatus(RunStatus.Running());

        var notes = model.Notes.Concat(analysis.Notes).Concat(resumeNotes).ToList();
        var watch = Stopwatch.StartNew();
        double lastLoss = double.NaN, lastAccuracy = double.NaN;
        RunStatus? stopped = null;
        long step = start;
        void SaveCheckpoint(long at)
        {
            tracker?.Flush();
            foreach (var w in writers) w?.Flush();
            Checkpoint.Save(run.CheckpointPath, at, network, optimizer, tracker?.SaveState() ?? new(), loader.Position);
        }

        network.train();
        for (; step < steps; step++)
        {
            if (cancel.IsCancellationRequested)
            {
                stopped = RunStatus.Failed($"interrupted at step {step}; continue with: nmech train --resume {config.OutDir}");
                break;
            }
            using var scope = NewDisposeScope();
            var (x, y) = loader.Next();
            var (value, accuracy) = ForwardBackward(network, optimizer, x, y, loss);
            if (!double.IsFinite(value))
            {
                stopped = RunStatus.Diverged(step, value);
                break;
            }
            tracker?.Observe(step, step % logEvery == 0);
            Optimizers.ApplySchedule(optimizer, settings.Schedule, step);
            optimizer.Step();
            lastLoss = value;
            lastAccuracy = accuracy;
            metrics.AddRow().Long(step).Double(clock.Time(step)).Double(value).Double(accuracy).Double(clock.LearningRate(step)).End();
            if (step % logEvery == 0) { board.AddScalar("train/loss", value, step); board.AddScalar("train/accuracy", accuracy, step); }
            progress?.Report(new TrainProgress(step + 1, steps, value, accuracy, (step + 1 - start) / watch.Elapsed.TotalSeconds));
            if (config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0 && step + 1 < steps) SaveCheckpoint(step + 1);
        }
        double speed = (step - start) / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);

        double testAccuracy = double.NaN;
        if (stopped is null)
        {
            // Saved before the final observation draws a batch, advances the trackers and BatchNorm's
            // running statistics: a run extended from here then equals one that ran longer.
            SaveCheckpoint(steps);
            // The state after the last update, so every trajectory ends where training ended.
            using (var scope = NewDisposeScope())
            {
                var (x, y) = loader.Next();
                var (finalLoss, _) = ForwardBackward(network, optimizer, x, y, loss);
                if (double.IsFinite(finalLoss)) tracker?.Observe(steps, logNeurons: true);
            }
            tracker?.Flush();
            optimizer.ZeroGrad();
            testAccuracy = Evaluate(network, split.Test, norm, config.BatchSize, device);
            board.AddScalar("test/accuracy", testAccuracy, steps);
            stopped = RunStatus.Finished(new RunOutcome(steps, lastLoss, lastAccuracy, testAccuracy, speed, watch.Elapsed.TotalSeconds));
        }
        else
        {
            // A failed (interrupted) run can be resumed, so it keeps a checkpoint; a diverged one only its rows.
            if (stopped.State == RunState.Failed) SaveCheckpoint(step);
            else
            {
                tracker?.Flush();
                foreach (var w in writers) w?.Flush();
            }
        }
        run.WriteStatus(stopped);
        if (tracker is not null) notes.AddRange(tracker.Unavailable.Select(u => "no prediction: " + u));
        return new TrainResult(run.Root, stopped, step, lastLoss, testAccuracy, speed, analysis,
            tracker?.Errors.Rows() ?? [], tracker?.StateBytes ?? 0, notes);
    }

    /// <summary>One forward and backward pass; returns the loss and the batch accuracy. Gradients are left in .grad.</summary>
    public static (double Loss, double Accuracy) ForwardBackward(nn.Module<Tensor, Tensor> network, IOptimizer optimizer, Tensor x, Tensor y, LossKind loss)
    {
        var output = network.forward(x);
        var value = Losses.For(loss)(output, y);
        optimizer.ZeroGrad();
        value.backward();
        double accuracy = output.argmax(1).eq(y).to(ScalarType.Float64).mean().ReadDouble();
        return (value.ReadDouble(), accuracy);
    }

    /// <summary>Accuracy on <paramref name="data"/> in eval mode (BatchNorm running statistics, no dropout).</summary>
    public static double Evaluate(nn.Module<Tensor, Tensor> network, ImageDataSet data, Normalization norm, int batchSize, Device device)
    {
        network.eval();
        try
        {
            using var loader = new BatchLoader(data, batchSize, norm, device, shuffle: false, dropLast: false);
            using var noGrad = no_grad();
            long correct = 0;
            foreach (var (x, y) in loader.OneEpoch())
            {
                using var scope = NewDisposeScope();
                correct += network.forward(x).argmax(1).eq(y).sum().ReadInt64();
            }
            return (double)correct / data.Count;
        }
        finally
        {
            network.train();
        }
    }
}
