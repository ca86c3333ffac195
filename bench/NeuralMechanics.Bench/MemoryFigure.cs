using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Bench;

/// <summary>What the tracker keeps between steps for one model, next to the reference implementation's per-parameter buffers.</summary>
/// <param name="Workload">The model.</param>
/// <param name="Parameters">Parameter count P.</param>
/// <param name="Groups">Groups per kind.</param>
/// <param name="SetBytes">Tracker bytes per group set (predictor and pending values).</param>
/// <param name="TrackerBytes"><see cref="SymmetryTracker.StateBytes"/>: every set plus the error histograms.</param>
public sealed record MemoryFigure(Workload Workload, long Parameters, IReadOnlyDictionary<SymmetryKind, long> Groups, long SetBytes, long TrackerBytes)
{
    /// <summary>The reference keeps two float32 copies of the parameters (initial and previous): 2 × P × 4 bytes.</summary>
    public long ReferenceBytes => 2 * Parameters * sizeof(float);

    /// <summary>All groups.</summary>
    public long TotalGroups => Groups.Values.Sum();

    /// <summary>
    /// Builds the model on the CPU, takes two tracked steps on a batch of two (so the predictors
    /// and error histograms exist) and reads the tracker's state size.
    /// </summary>
    public static MemoryFigure Measure(Workload workload)
    {
        manual_seed(1);
        var model = ModelZoo.Create(workload.Model, workload.Input, workload.Classes, workload.Options);
        try
        {
            var analysis = SymmetryDiscovery.Discover(model.Architecture);
            var named = model.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
            var optimizer = new SgdOptimizer(named, workload.Sgd);
            var tracker = new SymmetryTracker(analysis, optimizer, workload.Sgd, named, new TrackerSinks(null, null, null, null));
            var batches = BenchRun.Batches(workload, 2, CPU, 1);
            model.Network.train();
            for (int step = 0; step < 2; step++)
            {
                using var scope = NewDisposeScope();
                Trainer.ForwardBackward(model.Network, optimizer, batches[step].X, batches[step].Y, model.Architecture.Loss);
                tracker.Observe(step, logNeurons: true);
                optimizer.Step();
            }
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
            long errorBytes = tracker.Errors.SaveState().Values.Sum(v => (long)v.Length * sizeof(double));
            var groups = Enum.GetValues<SymmetryKind>().ToDictionary(k => k, analysis.Count);
            return new MemoryFigure(workload, model.Architecture.ParameterCount, groups, tracker.StateBytes - errorBytes, tracker.StateBytes);
        }
        finally
        {
            model.Network.Dispose();
        }
    }
}
