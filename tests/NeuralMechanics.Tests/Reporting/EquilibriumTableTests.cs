using NeuralMechanics.Models;
using NeuralMechanics.Reporting;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Reporting;

[Collection(TorchRngCollection.Name)]
public sealed class EquilibriumTableTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-equilibrium-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void TheReportListsEachBatchNormLayersAngularUpdateBesideRootTwoEtaLambda()
    {
        var run = Trainer.Run(new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 16, Norm: "batchnorm"), Data = "synthetic:1x8x8:4", TrainLimit = 256,
            Optimizer = new SgdSettings(0.1, 5e-4), BatchSize = 32, Steps = 60, LogEvery = 10, CheckpointEvery = 0, OutDir = Path.Combine(root, "bn"),
        }).RunDir;
        var summary = Reporter.Write([run], Path.Combine(root, "report"));
        var markdown = File.ReadAllText(summary.MarkdownPath);

        Assert.Contains("## Equilibrium of the scale-invariant layers", markdown);
        // SGD's equilibrium angular update per step, √(2ηλ) = √(2 · 0.1 · 5e-4) = 0.01, beside both hidden layers.
        string equilibrium = Labels.Scientific(Math.Sqrt(2 * 0.1 * 5e-4));
        var section = markdown[markdown.IndexOf("## Equilibrium of the scale-invariant layers")..];
        if (section.IndexOf("\n## ", 5) is var next and > 0) section = section[..next];
        var rows = section.Split('\n').Where(l => l.StartsWith("| bn |")).ToList();
        Assert.Equal(["fc1", "fc2"], rows.Select(r => r.Split('|')[2].Trim()));
        Assert.All(rows, r => Assert.Equal(equilibrium, r.Split('|')[4].Trim()));
    }

    [Fact]
    public void RunsWithoutScaleGroupsHaveNoEquilibriumSection()
    {
        var run = Trainer.Run(new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 1, Hidden: 8), Data = "synthetic:1x8x8:4", TrainLimit = 128,
            Optimizer = new SgdSettings(0.1, 5e-4), BatchSize = 32, Steps = 20, CheckpointEvery = 0, OutDir = Path.Combine(root, "plain"),
        }).RunDir;
        var markdown = File.ReadAllText(Reporter.Write([run], Path.Combine(root, "report-plain")).MarkdownPath);
        Assert.DoesNotContain("Equilibrium of the scale-invariant layers", markdown);
    }
}
