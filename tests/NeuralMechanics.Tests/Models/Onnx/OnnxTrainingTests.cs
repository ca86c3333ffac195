using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using Xunit.Abstractions;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>An imported model trains as a zoo model does: `--model FILE.onnx`, tracked groups, checkpoints and resume.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class OnnxTrainingTests(ITestOutputHelper log)
{
    private static RunSpec Spec(string dir, long steps) => new()
    {
        Model = Path.Combine(OnnxFixture.Folder, "cnn.onnx"), Data = "synthetic:3x8x8:4", BatchSize = 8, Steps = steps, Seed = 2,
        Optimizer = new SgdSettings(0.05, 5e-4, 0.9), LogEvery = 1, CheckpointEvery = 5, EvalEvery = 0, OutDir = dir,
    };

    [Fact]
    public void AnImportedCnnTrainsWithItsGroupsTrackedAndResumesBitForBit()
    {
        using var dir = new Data.TempDirectory();
        var straight = Trainer.Run(Spec(Path.Combine(dir.Path, "straight"), 10));
        Assert.Equal((13L, 18L, 12L), (straight.Analysis.Count(SymmetryKind.Translation), straight.Analysis.Count(SymmetryKind.Scale), straight.Analysis.Count(SymmetryKind.Rescale)));
        foreach (var e in straight.Errors.Where(e => e.Predictor == TrajectorySchema.Discrete))
        {
            log.WriteLine($"{e.Kind} discrete median {e.Median:E2} max {e.Max:E2}");
            // The exact momentum recurrence in float32: rounding, far below gradient flow's error.
            Assert.True(e.Median < 1e-5, $"{e.Kind}: {e.Median:E2}");
        }
        var halfway = Path.Combine(dir.Path, "resumed");
        Trainer.Run(Spec(halfway, 5));
        var resumed = Trainer.Resume(halfway, steps: 10);
        Assert.Equal(10, resumed.Steps);
        Assert.Equal(straight.FinalLoss, resumed.FinalLoss);
    }
}
