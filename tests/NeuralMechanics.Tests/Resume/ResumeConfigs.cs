using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Resume;

/// <summary>Small runs (a few seconds on two cores) that exercise every piece of resumable state.</summary>
internal static class ResumeConfigs
{
    /// <summary>
    /// An MLP on 1×8×8 synthetic data with momentum and weight decay (momentum buffers, tracker
    /// recurrences), optionally with BatchNorm (running statistics are buffers, not parameters).
    /// </summary>
    public static TrainConfig Mlp(string norm, string outDir, long steps) => new()
    {
        Model = "mlp",
        ModelOptions = new ModelOptions(Depth: 2, Hidden: 24, Norm: norm),
        Data = "synthetic:1x8x8:4",
        TrainLimit = 200,
        Optimizer = new SgdSettings(0.05, WeightDecay: 5e-4, Momentum: 0.9),
        BatchSize = 16,
        Steps = steps,
        Seed = 7,
        LogEvery = 3,
        CheckpointEvery = 5,
        OutDir = outDir,
    };
}
