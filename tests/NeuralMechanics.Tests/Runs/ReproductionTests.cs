using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Runs;

public class ReproductionTests
{
    [Fact]
    public void ThePlanIsTheSection6GridOnBothVggsPlusTheMomentumRuns()
    {
        using var dir = new TempDirectory();
        var (runs, _, _) = Reproduction.Plan(quick: false, dataDir: null, outDir: dir.Path, device: "cpu");
        var points = runs.Select(r => (r.Model, r.Optimizer.WeightDecay, r.Optimizer.Momentum)).ToList();
        Assert.Equal(10, points.Count);
        foreach (var model in new[] { "vgg16", "vgg16-bn" })
            foreach (var wd in new[] { 0, 1e-4, 5e-4, 1e-3 })
                Assert.Contains((model, wd, 0.0), points);
        Assert.Contains(("vgg16-bn", 5e-4, 0.9), points);
        Assert.Contains(("vgg16-bn", 5e-4, 0.99), points);
        Assert.All(runs, r =>
        {
            Assert.Equal(r.Optimizer.Momentum == 0.99 ? 0.01 : 0.1, r.Optimizer.LearningRate);
            Assert.Equal(64, r.BatchSize);
            Assert.Equal(1.0 / 4, r.ModelOptions.Width);
            Assert.Equal(0, r.ModelOptions.Dropout);
            Assert.Equal(Initialisation.Kaiming, r.ModelOptions.Init);
            Assert.Equal(Reproduction.Steps, r.Steps);
            Assert.True(r.Track);
            Assert.StartsWith(dir.Path, r.OutDir);
        });
        Assert.Equal(10, runs.Select(r => r.OutDir).Distinct().Count());
    }

    [Fact]
    public void WithoutFashionMnistItFallsBackToSyntheticDataAndSaysWhereItLooked()
    {
        using var empty = new TempDirectory();
        var (runs, data, warning) = Reproduction.Plan(quick: true, dataDir: empty.Path, outDir: empty.Path, device: "cpu");
        Assert.Equal("synthetic:1x28x28:10", data);
        Assert.NotNull(warning);
        Assert.Contains(empty.Path, warning);
        Assert.Contains("apt-get install dataset-fashion-mnist", warning);
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(data, r.Data);
            Assert.Equal("vgg16-bn", r.Model);
            Assert.Equal(Reproduction.QuickSteps, r.Steps);
        });
    }

    /// <summary>
    /// The quick plan as <c>nmech reproduce --quick</c> runs it, on the real data: each of its runs
    /// leaves the initial plateau and ends above 75 % training accuracy (the last 50 steps).
    /// </summary>
    [FashionMnistFact]
    public void EveryRunOfTheQuickPlanLearnsFashionMnist()
    {
        using var dir = new TempDirectory();
        var (runs, data, _) = Reproduction.Plan(quick: true, dataDir: null, outDir: dir.Path, device: "cpu");
        Assert.Equal("fashion-mnist", data);
        foreach (var config in runs)
        {
            var result = Trainer.Run(config);
            Assert.Equal(RunState.Finished, result.Status.State);
            var learning = Learning.Read(result.RunDir);
            Assert.False(learning.DidNotLearn, learning.ToString());
            Assert.True(learning.TrainAccuracy >= 0.75, learning.ToString());
            Assert.True(learning.TestAccuracy >= 0.75, learning.ToString());
        }
    }
}
