using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Bench;

/// <summary>
/// One model training on two synthetic batches held on the device, so a step is what
/// <see cref="Trainer"/> does per step minus the loader: forward and backward, then (tracked)
/// <see cref="SymmetryTracker.Observe"/> with real Parquet and TensorBoard sinks, then the optimizer step.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly ZooModel model;
    private readonly SgdOptimizer optimizer;
    private readonly (Tensor X, Tensor Y)[] batches;
    private readonly TrajectoryWriter[] writers;
    private readonly Device device;
    private readonly int logEvery;
    private long step;

    /// <summary>Builds the model (seeded), its optimizer, the batches and, when tracked, the tracker and its sinks under <paramref name="scratch"/>.</summary>
    public TrainingSession(Workload workload, Variant variant, Device device, string scratch, long seed = 1)
    {
        this.device = device;
        logEvery = variant.LogEvery();
        torch.manual_seed(seed);
        model = ModelZoo.Create(workload.Model, workload.Input, workload.Classes, workload.Options, device: device);
        Analysis = SymmetryDiscovery.Discover(model.Architecture);
        var named = model.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        optimizer = new SgdOptimizer(named, workload.Sgd);
        batches = Batches(workload, workload.BatchSize, device, seed);
        writers = [];
        if (variant != Variant.Untracked)
        {
            Directory.CreateDirectory(scratch);
            var layers = new TrajectoryWriter(Path.Combine(scratch, TrajectorySchema.LayersFile), TrajectorySchema.LayersColumns);
            var neurons = new TrajectoryWriter(Path.Combine(scratch, TrajectorySchema.NeuronsFile), TrajectorySchema.NeuronsColumns);
            var samples = new TrajectoryWriter(Path.Combine(scratch, TrajectorySchema.SamplesFile), TrajectorySchema.SamplesColumns);
            writers = [layers, neurons, samples];
            var board = new TensorBoardLog(Path.Combine(scratch, TrajectorySchema.TensorBoardFolder));
            Tracker = new SymmetryTracker(Analysis, optimizer, workload.Sgd, named, new TrackerSinks(layers, neurons, samples, board), seed);
        }
        model.Network.train();
    }

    /// <summary>The model's symmetry groups.</summary>
    public SymmetryAnalysis Analysis { get; }

    /// <summary>The tracker, or null when untracked.</summary>
    public SymmetryTracker? Tracker { get; }

    /// <summary>Runs <paramref name="steps"/> training steps and returns when the device has done their work.</summary>
    public void Run(int steps)
    {
        var loss = model.Architecture.Loss;
        for (int i = 0; i < steps; i++, step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = batches[step % batches.Length];
            Trainer.ForwardBackward(model.Network, optimizer, x, y, loss);
            Tracker?.Observe(step, logEvery > 0 && step % logEvery == 0);
            optimizer.Step();
        }
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }


    /// <summary>Two normalised batches of the workload's synthetic dataset, on <paramref name="device"/>, owned by the caller.</summary>
    public static (Tensor X, Tensor Y)[] Batches(Workload workload, int batchSize, Device device, long seed)
    {
        var data = DataSets.Load(workload.Data, seed: seed).Train.Take(2 * batchSize);
        using var loader = new BatchLoader(data, batchSize, Normalization.Compute(data), device, shuffle: false, prefetch: 0);
        return Enumerable.Range(0, 2).Select(_ => loader.Next()).ToArray();
    }

    /// <summary>Writes the remaining rows and releases the model and the batches.</summary>
    public void Dispose()
    {
        foreach (var w in writers) w.Dispose();
        foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        model.Network.Dispose();
    }
}
