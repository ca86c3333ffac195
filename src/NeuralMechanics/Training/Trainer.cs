using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// Trains a network with the optimizer and schedule of a <see cref="RunSpec"/> while the
/// <see cref="Tracking.SymmetryTracker"/> records every symmetry group at every step, into a run
/// directory that survives interruption (checkpoints, status kept current; a non-finite loss stops
/// the run with its data kept). A zoo model is built from the specification; any other
/// TorchSharp module is passed in (<see cref="Run(nn.Module{Tensor, Tensor}, RunSpec, DataSplit, IProgress{TrainProgress}?, CancellationToken)"/>).
/// </summary>
public static class Trainer
{
    /// <summary>Trains the zoo model of <paramref name="spec"/> in <see cref="RunSpec.OutDir"/> (which must be empty or hold the same specification).</summary>
    public static TrainResult Run(RunSpec spec, IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        spec.Validate();
        return Zoo(spec, resume: false, progress, cancel);
    }

    /// <summary>
    /// Continues the run in <paramref name="runDir"/> from its last checkpoint; with
    /// <paramref name="steps"/> it may also be extended. The result is the same, step for step,
    /// as an uninterrupted run on the CPU. Runs of a model of your own resume through
    /// <see cref="Resume(nn.Module{Tensor, Tensor}, string, DataSplit, long?, IProgress{TrainProgress}?, CancellationToken)"/>.
    /// </summary>
    public static TrainResult Resume(string runDir, long? steps = null, string? device = null,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        var spec = ResumedSpec(runDir, steps, device);
        if (!ModelZoo.IsKnown(spec.Model))
            throw InvalidInputException.InFile(runDir, TrajectorySchema.ManifestFile,
                $"spec.model: '{spec.Model}' is not a zoo model ({string.Join(", ", ModelZoo.Names)}); resume a run of your own model from code with Trainer.Resume(network, runDir, data)");
        spec.Validate();
        return Zoo(spec, resume: true, progress, cancel);
    }

    /// <summary>
    /// Trains <paramref name="network"/>, a TorchSharp module of your own (a layer the architecture
    /// graph knows, a <c>Sequential</c> of them, or a module that describes itself through
    /// <see cref="IGraphBlock"/>), on <paramref name="data"/> with tracking, into
    /// <see cref="RunSpec.OutDir"/>. <see cref="RunSpec.Model"/> and <see cref="RunSpec.Data"/> only name them in the run directory.
    /// Seed torch and initialise the network before; it is trained where its parameters are.
    /// </summary>
    public static TrainResult Run(nn.Module<Tensor, Tensor> network, RunSpec spec, DataSplit data,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default) =>
        Custom(network, spec, data, resume: false, progress, cancel);

    /// <summary>Continues a run of your own model (the same network type and data as when it started) from its last checkpoint.</summary>
    public static TrainResult Resume(nn.Module<Tensor, Tensor> network, string runDir, DataSplit data, long? steps = null,
        IProgress<TrainProgress>? progress = null, CancellationToken cancel = default) =>
        Custom(network, ResumedSpec(runDir, steps, device: null), data, resume: true, progress, cancel);

    /// <summary>
    /// <see cref="Run(RunSpec, IProgress{TrainProgress}?, CancellationToken)"/> with <paramref name="onProgress"/>
    /// called on the training thread after every step (<see cref="Progress{T}"/> would call it later, on the thread pool).
    /// </summary>
    public static TrainResult Run(RunSpec spec, Action<TrainProgress> onProgress, CancellationToken cancel = default) =>
        Run(spec, new CallbackProgress(onProgress), cancel);

    /// <summary>
    /// <see cref="Run(nn.Module{Tensor, Tensor}, RunSpec, DataSplit, IProgress{TrainProgress}?, CancellationToken)"/> with
    /// <paramref name="onProgress"/> called on the training thread after every step.
    /// </summary>
    public static TrainResult Run(nn.Module<Tensor, Tensor> network, RunSpec spec, DataSplit data, Action<TrainProgress> onProgress,
        CancellationToken cancel = default) =>
        Run(network, spec, data, new CallbackProgress(onProgress), cancel);

    /// <summary>Reports synchronously, in step order.</summary>
    private sealed class CallbackProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }

    private static RunSpec ResumedSpec(string runDir, long? steps, string? device)
    {
        var recorded = RunDirectory.Open(runDir).Manifest.Spec;
        return recorded with { Steps = steps ?? recorded.Steps, Device = device ?? recorded.Device, OutDir = runDir };
    }

    private static TrainResult Zoo(RunSpec spec, bool resume, IProgress<TrainProgress>? progress, CancellationToken cancel)
    {
        // Before any tensor operation: the first matrix product already fixes oneDNN's instruction set.
        NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(spec.Model, spec.ModelOptions));
        var device = Devices.Resolve(spec.Device);
        torch.manual_seed(spec.Seed);
        var split = DataSets.Load(spec.Data, spec.DataDir, spec.Seed);
        var norm = Normalization.Compute(TrainingSet(spec, split));
        long[] shape = [split.Train.Channels, split.Train.Height, split.Train.Width];
        var model = ModelZoo.Create(spec.Model, shape, split.Train.Classes, spec.ModelOptions, spec.Loss, device: device);
        return Train(model.Network, model.Architecture, spec with { Model = model.Name }, split, norm, device, resume, model.Notes, progress, cancel);
    }

    private static TrainResult Custom(nn.Module<Tensor, Tensor> network, RunSpec spec, DataSplit data, bool resume,
        IProgress<TrainProgress>? progress, CancellationToken cancel)
    {
        // The zoo's guard, before Describe's probe pass runs the first convolution; where one ran
        // earlier uncapped, the warning goes into the run's notes.
        string? oneDnnWarning = NativeEnvironment.PrepareConvolutions(NativeEnvironment.ConvolutionChannels(network));
        var device = network.parameters().FirstOrDefault()?.device ?? CPU;
        torch.manual_seed(spec.Seed);
        long[] shape = [data.Train.Channels, data.Train.Height, data.Train.Width];
        var architecture = Architecture.Describe(network, shape, spec.Loss);
        string[] notes = oneDnnWarning is null ? [] : [oneDnnWarning];
        return Train(network, architecture, spec, data, Normalization.Compute(TrainingSet(spec, data)), device, resume, notes, progress, cancel);
    }

    private static ImageDataSet TrainingSet(RunSpec spec, DataSplit data) => spec.TrainLimit is int limit ? data.Train.Take(limit) : data.Train;

    private static TrainResult Train(nn.Module<Tensor, Tensor> network, Architecture architecture, RunSpec spec, DataSplit data, Normalization norm,
        Device device, bool resume, IEnumerable<string> notes, IProgress<TrainProgress>? progress, CancellationToken cancel)
    {
        var train = TrainingSet(spec, data);
        using var loader = new BatchLoader(train, spec.BatchSize, norm, device, shuffle: true, seed: spec.Seed);
        spec = spec with { Device = device.type.ToString().ToLowerInvariant() };
        double Test(nn.Module<Tensor, Tensor> n) => Evaluate(n, data.Test, norm, spec.BatchSize, device);
        using var session = resume
            ? TrainingSession.Resume(network, architecture, spec, loader, Test, notes)
            : TrainingSession.Start(network, architecture, spec, loader, Test, notes);
        return session.Run(progress, cancel);
    }

    /// <summary>One forward and backward pass; returns the loss and the batch accuracy (one read). Gradients are left in .grad.</summary>
    public static (double Loss, double Accuracy) ForwardBackward(nn.Module<Tensor, Tensor> network, IOptimizer optimizer, Tensor x, Tensor y, LossKind loss)
    {
        var values = HostReads.ToDoubles(ForwardBackwardOnDevice(network, optimizer, x, y, loss));
        return (values[0], values[1]);
    }

    /// <summary>
    /// One forward and backward pass that reads nothing back: the loss and the batch accuracy as a
    /// float64 tensor [2] on the device (what <see cref="ForwardBackward"/> reads). Gradients are left in .grad.
    /// </summary>
    public static Tensor ForwardBackwardOnDevice(nn.Module<Tensor, Tensor> network, IOptimizer optimizer, Tensor x, Tensor y, LossKind loss)
    {
        var output = network.forward(x);
        var value = Losses.For(loss)(output, y);
        optimizer.ZeroGrad();
        value.backward();
        using var noGrad = no_grad();
        return stack([value.detach().to(ScalarType.Float64), output.argmax(1).eq(y).to(ScalarType.Float64).mean()]);
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
