using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Bench;

/// <summary>
/// One model training on two synthetic batches held on the device, through the library's own
/// <see cref="TrainingSession"/> (the loop every run uses: forward and backward, the finite-loss
/// check, the tracker, the update, the metrics row), writing a real run directory under the
/// scratch folder. Only the loader is left out, so the variants differ by the tracking alone.
/// </summary>
public sealed class BenchRun : IDisposable
{
    private readonly ZooModel model;
    private readonly TrainingSession session;
    private readonly CachedBatches batches;
    private readonly Device device;

    /// <summary>Builds the model (seeded), the batches and the session in <paramref name="scratch"/> (a folder of its own).</summary>
    public BenchRun(Workload workload, Variant variant, Device device, string scratch, long seed = 1)
    {
        this.device = device;
        torch.manual_seed(seed);
        model = ModelZoo.Create(workload.Model, workload.Input, workload.Classes, workload.Options, device: device);
        batches = new CachedBatches(Batches(workload, workload.BatchSize, device, seed));
        var spec = new RunSpec
        {
            Model = workload.Model, ModelOptions = workload.Options, Data = workload.Data, Optimizer = workload.Sgd, BatchSize = workload.BatchSize,
            // Longer than any bench; no checkpoint during the timed steps.
            Steps = 1L << 40, CheckpointEvery = 0, Seed = seed, Device = device.type.ToString().ToLowerInvariant(),
            Track = variant.Tracked(), LogEvery = Math.Max(1, variant.LogEvery()), SharpnessEvery = variant.SharpnessSteps(), OutDir = scratch,
        };
        session = TrainingSession.Start(model.Network, model.Architecture, spec, batches);
    }

    /// <summary>The model's parameter count.</summary>
    public long Parameters => model.Architecture.ParameterCount;

    /// <summary>The model's symmetry groups.</summary>
    public SymmetryAnalysis Analysis => session.Analysis;

    /// <summary>Runs <paramref name="steps"/> training steps and returns when the device has done their work.</summary>
    public void Run(int steps)
    {
        for (int i = 0; i < steps; i++)
            if (!session.Step()) throw new InvalidOperationException($"the bench's run stopped: {session.Stopped?.Reason ?? session.Stopped?.State.ToString()}");
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
        session.Dispose();
        batches.Dispose();
        model.Network.Dispose();
    }

    /// <summary>The batches in turn, forever; handed out as aliases so the step's dispose scope leaves them alive.</summary>
    private sealed class CachedBatches((Tensor X, Tensor Y)[] batches) : IBatchSource, IDisposable
    {
        public long Position { get; private set; }
        public int BatchesPerEpoch => batches.Length;
        public void Seek(long position) => Position = position;

        public (Tensor X, Tensor Y) Next()
        {
            var (x, y) = batches[Position++ % batches.Length];
            return (x.alias(), y.alias());
        }

        public void Dispose()
        {
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        }
    }
}
