using NeuralMechanics.Models;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tests.Resume;

/// <summary>Small runs (a few seconds on two cores) that exercise every piece of resumable state.</summary>
internal static class ResumeConfigs
{
    /// <summary>
    /// An MLP on 1×8×8 synthetic data with momentum and weight decay (momentum buffers, tracker
    /// recurrences), optionally with BatchNorm (running statistics are buffers, not parameters).
    /// </summary>
    public static RunSpec Mlp(string norm, string outDir, long steps) => new()
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

    /// <summary>
    /// The same MLP with AdamW, a warmup and a cosine schedule, and no weight decay on norms and
    /// biases (Adam's moments and step counts, recorded updates, the schedule's clock, two groups).
    /// </summary>
    public static RunSpec AdamW(string norm, string outDir, long steps) => Mlp(norm, outDir, steps) with
    {
        Optimizer = new OptimizerSettings
        {
            Kind = OptimizerKind.AdamW, LearningRate = 1e-2, WeightDecay = 0.05, NoDecay = DecayExclusion.Norm | DecayExclusion.Bias,
            Schedule = new LrSchedule { Kind = ScheduleKind.Cosine, WarmupSteps = 6 },
        },
    };

    /// <summary>SGD with momentum and step drops of the learning rate (the reference's --lr-drops).</summary>
    public static RunSpec Drops(string norm, string outDir, long steps) => Mlp(norm, outDir, steps) with
    {
        Optimizer = (OptimizerSettings)new SgdSettings(0.05, WeightDecay: 5e-4, Momentum: 0.9) with
        {
            Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [8, 16], DropRate = 0.2 },
        },
    };

    /// <summary>
    /// A ResNet-18 at width 1/16 on 3×32×32 synthetic images with momentum (BatchNorm buffers in
    /// every block; channels-last batches; its 4→8-channel stride-2 shortcut is the shape oneDNN's
    /// channels-last kernel got wrong). <paramref name="norm"/> is unused: the ResNet has its BatchNorms.
    /// </summary>
    public static RunSpec ResNet(string norm, string outDir, long steps) => Mlp(norm, outDir, steps) with
    {
        Model = "resnet18",
        ModelOptions = new ModelOptions(Width: 1.0 / 16),
        Data = "synthetic:3x32x32:4",
    };

    /// <summary>One of the configurations by name: sgd, adamw, drops or resnet.</summary>
    public static RunSpec Named(string name, string norm, string outDir, long steps) => name switch
    {
        "resnet" => ResNet(norm, outDir, steps),
        "adamw" => AdamW(norm, outDir, steps),
        "drops" => Drops(norm, outDir, steps),
        _ => Mlp(norm, outDir, steps),
    };
}
