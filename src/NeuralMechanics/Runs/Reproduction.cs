using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>
/// The paper's Section 6 experiment sized for a 2-core CPU: a width-scaled VGG-16 with and
/// without BatchNorm, SGD (η = 0.1) at λ ∈ {0, 1e-4, 5e-4, 1e-3}, plus momentum β ∈ {0.9, 0.99}
/// at λ = 5e-4 on the BatchNorm model for the oscillator figure (β = 0 is the SGD run).
/// </summary>
public static class Reproduction
{
    /// <summary>Weight decays of the SGD runs (Table 4).</summary>
    public static readonly double[] WeightDecays = [0, 1e-4, 5e-4, 1e-3];

    /// <summary>Momenta of the oscillator runs (Table 4), besides β = 0.</summary>
    public static readonly double[] Momenta = [0.9, 0.99];

    /// <summary>The runs to make, the data they use, and a warning when it is not the real data set.</summary>
    /// <param name="quick">About 2 minutes on 2 cores instead of about 8 (the target is 15).</param>
    /// <param name="dataDir">Where to look for Fashion-MNIST (default: the Debian package's folder).</param>
    /// <param name="outDir">Parent folder of the run directories.</param>
    /// <param name="device">cpu, cuda or auto.</param>
    public static (IReadOnlyList<TrainConfig> Runs, string Data, string? Warning) Plan(bool quick, string? dataDir, string outDir, string device)
    {
        bool real = DataSets.Discover(dataDir).Any(d => d.Name == "fashion-mnist" && d.Found);
        string data = real ? "fashion-mnist" : "synthetic:1x28x28:10";
        string? warning = real ? null
            : $"Fashion-MNIST was not found ({dataDir ?? DataSets.DefaultRoot + "/fashion-mnist"}): running on SYNTHETIC data instead. " +
              "Install the real data with: apt-get install dataset-fashion-mnist";
        var model = quick ? new ModelOptions(Width: 1.0 / 16) : new ModelOptions(Width: 1.0 / 8);
        long steps = quick ? 25 : 600; // 1.3 epochs of Fashion-MNIST
        int? limit = quick ? 3_200 : null;
        var runs = new List<TrainConfig>();
        TrainConfig Run(string name, double wd, double beta) => new()
        {
            Model = name, ModelOptions = model, Data = data, DataDir = dataDir, TrainLimit = limit,
            Optimizer = new SgdSettings(0.1, wd, beta), BatchSize = 128, Steps = steps, Seed = 0,
            LogEvery = quick ? 5 : 10, CheckpointEvery = 0, Device = device,
            OutDir = Path.Combine(outDir, $"{name}_lr=0.1_wd={wd:0.####}_momentum={beta}"),
        };
        foreach (var name in new[] { "vgg16", "vgg16-bn" })
            foreach (var wd in WeightDecays) runs.Add(Run(name, wd, 0));
        foreach (var beta in Momenta) runs.Add(Run("vgg16-bn", 5e-4, beta));
        return (runs, data, warning);
    }
}
