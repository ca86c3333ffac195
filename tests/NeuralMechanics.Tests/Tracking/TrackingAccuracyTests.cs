using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using Xunit.Abstractions;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// The exact discrete recurrences hold on real training: 2 epochs of Fashion-MNIST, λ = 5e-4,
/// plain SGD and momentum 0.9, an MLP and a width-scaled VGG-11 with BatchNorm. Errors are
/// relative to the size of the terms (docs/design.md), median over groups and logged steps.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class TrackingAccuracyTests(ITestOutputHelper output)
{
    private TrainResult Train(string model, ModelOptions options, double momentum, string dir, int? limit = null) => Trainer.Run(new RunSpec
    {
        Model = model, ModelOptions = options, Data = "fashion-mnist", TrainLimit = limit, Epochs = 2, BatchSize = 128, Seed = 1,
        Optimizer = new SgdSettings(0.05, 5e-4, momentum), LogEvery = 25, CheckpointEvery = 0, OutDir = dir,
    });

    private void Print(string label, TrainResult r)
    {
        foreach (var e in r.Errors) output.WriteLine($"{label}: {e.Kind.Name(),-11} {e.Predictor,-13} median {e.Median:0.0e+00} max {e.Max:0.0e+00} (n = {e.Count})");
    }

    private static ErrorRow Discrete(TrainResult r, SymmetryKind kind) =>
        r.Errors.Single(e => e.Kind == kind && e.Predictor == TrajectorySchema.Discrete);

    [FashionMnistFact]
    public void DiscreteRecurrencesMatchAnMlpToOnePartIn100000WithAndWithoutMomentum()
    {
        using var dir = new Data.TempDirectory();
        foreach (var beta in new[] { 0.0, 0.9 })
        {
            var r = Train("mlp", new ModelOptions(Depth: 2, Hidden: 128), beta, Path.Combine(dir.Path, $"mlp-{beta}"));
            Print($"mlp β={beta}", r);
            Assert.Equal(RunState.Finished, r.Status.State);
            Assert.InRange(Discrete(r, SymmetryKind.Translation).Median, 0, 1e-5);
            Assert.InRange(Discrete(r, SymmetryKind.Rescale).Median, 0, 1e-5);
            // Conservation alone is visibly broken: the discrete model is what explains the data.
            Assert.True(r.Errors.Single(e => e.Kind == SymmetryKind.Rescale && e.Predictor == TrajectorySchema.GradientFlow).Median > 100 * Discrete(r, SymmetryKind.Rescale).Median);
        }
    }

    [FashionMnistFact]
    public void DiscreteRecurrencesMatchABatchNormVggIncludingScaleGroupsUpToEpsilon()
    {
        using var dir = new Data.TempDirectory();
        foreach (var beta in new[] { 0.0, 0.9 })
        {
            // 2 epochs of the first 12,800 images keep CI short; `nmech train` runs the full set.
            var r = Train("vgg11-bn", new ModelOptions(Width: 1.0 / 8), beta, Path.Combine(dir.Path, $"vgg-{beta}"), limit: 12_800);
            Print($"vgg11-bn/8 β={beta}", r);
            Assert.Equal(RunState.Finished, r.Status.State);
            Assert.InRange(Discrete(r, SymmetryKind.Translation).Median, 0, 1e-5);
            Assert.InRange(Discrete(r, SymmetryKind.Rescale).Median, 0, 1e-5);
            // BatchNorm's ε makes ⟨g, θ⟩ slightly non-zero: the scale recurrence is exact up to it.
            Assert.InRange(Discrete(r, SymmetryKind.Scale).Median, 0, 1e-3);
        }
    }
}
