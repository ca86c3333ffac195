using NeuralMechanics.Models;
using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Reporting;

[Collection(TorchRngCollection.Name)]
public sealed class OptimizerFigureTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-optimizers-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Train(string name, OptimizerKind kind, double lr) => Trainer.Run(new RunSpec
    {
        Model = "mlp", ModelOptions = new ModelOptions(Depth: 1, Hidden: 16), Data = "synthetic:1x8x8:4", TrainLimit = 256,
        Optimizer = new OptimizerSettings { Kind = kind, LearningRate = lr }, BatchSize = 32, Steps = 40, LogEvery = 5,
        CheckpointEvery = 0, OutDir = Path.Combine(root, name),
    }).RunDir;

    [Fact]
    public void SgdAndAdamOnOneModelAreDrawnTogetherAndAdamBreaksTheLawsAtZeroWeightDecay()
    {
        var sgd = Train("sgd", OptimizerKind.Sgd, 0.05);
        var adam = Train("adam", OptimizerKind.Adam, 1e-2);
        var summary = Reporter.Write([sgd, adam], Path.Combine(root, "report"));

        var figure = summary.Figures.Single(f => f.Id == OptimizerFigure.Id);
        Assert.True(figure.IsWritten, figure.SkipReason);
        Assert.Contains("sgd, η = 0.05", figure.Caption);
        Assert.Contains("adam, η = 0.01", figure.Caption);
        Assert.True(new FileInfo(figure.PngPath!).Length > 1000);

        // What the figure shows, read from the tables: at λ = 0 SGD's rescale sum moves by O(η²) per step,
        // Adam's by far more; each run's discrete law holds.
        double Moved(string run)
        {
            var r = ReportRun.Load("r", run);
            var change = Change.OfLayer(r, Kinds.Rescale, r.LayerSets(Kinds.Rescale)[0], relative: true);
            return Math.Abs(change.Final);
        }
        Assert.True(Moved(adam) > 10 * Moved(sgd), $"adam {Moved(adam):e2}, sgd {Moved(sgd):e2}");
        var discrete = summary.Errors.Where(e => e.Predictor == TrajectorySchema.Discrete && e.Kind == Kinds.Rescale).ToList();
        Assert.Equal(2, discrete.Count);
        Assert.All(discrete, e => Assert.True(e.Median < 1e-5, $"{e.Run}: {e.Median:e2}"));
    }

    [Fact]
    public void WithOneOptimizerTheFigureIsSkippedWithTheReason()
    {
        var sgd = Train("sgd-only", OptimizerKind.Sgd, 0.05);
        var summary = Reporter.Write([sgd], Path.Combine(root, "report-one"));
        var figure = summary.Figures.Single(f => f.Id == OptimizerFigure.Id);
        Assert.False(figure.IsWritten);
        Assert.Contains("different optimizers", figure.SkipReason);
    }
}
