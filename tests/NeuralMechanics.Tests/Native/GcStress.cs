using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Native;

/// <summary>
/// Training runs while another thread collects garbage and runs finalizers as fast as it can: a
/// Scalar that nothing holds during a native call is then freed mid-call almost surely somewhere in
/// a few hundred steps, and libtorch aborts the process. Run in a child process
/// (<c>dotnet NeuralMechanics.Tests.dll gc-stress WORKLOAD STEPS DIR</c>) so that an abort is a
/// result, not the end of the test run.
/// </summary>
internal static class GcStress
{
    public const string Command = "gc-stress";

    /// <summary>The workloads by name: MLPs with and without BatchNorm/LayerNorm, a small VGG-BN.</summary>
    public static readonly IReadOnlyDictionary<string, Func<long, string, RunSpec>> Workloads = new Dictionary<string, Func<long, string, RunSpec>>
    {
        ["mlp"] = (steps, dir) => Mlp("none", steps, dir),
        ["mlp-batchnorm"] = (steps, dir) => Mlp("batchnorm", steps, dir),
        ["mlp-layernorm"] = (steps, dir) => Mlp("layernorm", steps, dir),
        ["vgg11-bn"] = (steps, dir) => new RunSpec
        {
            Model = "vgg11-bn", ModelOptions = new ModelOptions(Width: 1.0 / 16), Data = "synthetic:3x32x32:10", TrainLimit = 512,
            Optimizer = new SgdSettings(0.05, 5e-4, 0.9), BatchSize = 32, Steps = steps, LogEvery = 5, CheckpointEvery = 50, OutDir = dir,
        },
    };

    private static RunSpec Mlp(string norm, long steps, string dir) => new()
    {
        Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 32, Activation: "leaky_relu", Norm: norm), Data = "synthetic:1x28x28:10",
        TrainLimit = 1024, Optimizer = new SgdSettings(0.1, 5e-4, 0.9), BatchSize = 64, Steps = steps, LogEvery = 5, CheckpointEvery = 50, OutDir = dir,
    };

    /// <summary>Trains <paramref name="workload"/> under collection pressure; prints the collections made and returns 0.</summary>
    public static int Run(string workload, long steps, string dir)
    {
        if (!Workloads.TryGetValue(workload, out var make))
        {
            Console.Error.WriteLine($"{Command}: unknown workload '{workload}'; expected one of {string.Join(", ", Workloads.Keys)}");
            return 2;
        }
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var hammer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true, Name = "gc-hammer" };
        hammer.Start();
        var result = Trainer.Run(make(steps, dir));
        stop.Cancel();
        hammer.Join();
        Console.WriteLine($"{workload}: {result.Steps} steps, {result.Status.State}, {collections} forced collections");
        return result.Status.State == NeuralMechanics.Runs.RunState.Finished ? 0 : 1;
    }
}
