using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Training;

[Collection(TorchRngCollection.Name)]
public class TrainerTests
{
    private static RunSpec Small(string dir, double lr = 0.1) => new()
    {
        Model = "mlp", ModelOptions = new ModelOptions(Depth: 1, Hidden: 32), Data = "synthetic", TrainLimit = 2000,
        Optimizer = new SgdSettings(lr, 1e-3, 0.9), BatchSize = 64, Steps = 40, Seed = 5, LogEvery = 10, CheckpointEvery = 0, OutDir = dir,
    };

    [FashionMnistFact]
    public void AnMlpLearnsFashionMnistAbove80PercentInOneEpoch()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 256), Data = "fashion-mnist",
            Optimizer = new SgdSettings(0.1), BatchSize = 128, Epochs = 1, OutDir = dir.Path, Track = false,
        });
        Assert.Equal(RunState.Finished, r.Status.State);
        Assert.Equal(468, r.Steps); // 60,000 / 128, last partial batch dropped
        Assert.InRange(r.TestAccuracy, 0.80, 1.0);
    }

    [Fact]
    public void TheSameSeedGivesTheSameNumbers()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        Trainer.Run(Small(a.Path));
        Trainer.Run(Small(b.Path));
        foreach (var table in new[] { TrajectorySchema.MetricsFile, TrajectorySchema.LayersFile, TrajectorySchema.NeuronsFile })
        {
            var x = TrajectoryReader.Read(Path.Combine(a.Path, table));
            var y = TrajectoryReader.Read(Path.Combine(b.Path, table));
            Assert.True(x.RowCount > 0);
            Assert.Equal(x.Doubles(table == TrajectorySchema.MetricsFile ? TrajectorySchema.Loss : TrajectorySchema.Empirical),
                y.Doubles(table == TrajectorySchema.MetricsFile ? TrajectorySchema.Loss : TrajectorySchema.Empirical));
        }
    }

    [Fact]
    public void ADivergingRunStopsWithItsStepAndKeepsItsData()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(Small(dir.Path, lr: 1e6) with { Optimizer = new SgdSettings(1e6) });
        Assert.Equal(RunState.Diverged, r.Status.State);
        var status = RunDirectory.Open(dir.Path).ReadStatus()!;
        Assert.Equal(RunState.Diverged, status.State);
        Assert.Equal(r.Status.Step, status.Step);
        var metrics = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.MetricsFile));
        Assert.Equal(status.Step, metrics.RowCount); // every step before the non-finite loss is kept
        Assert.All(metrics.Doubles(TrajectorySchema.Loss), l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void TrajectoriesHoldEveryStepForLayersAndLoggedStepsForNeurons()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(Small(dir.Path));
        var layers = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.LayersFile));
        int sets = r.Analysis.Sets.Count;
        Assert.Equal(41 * sets, layers.RowCount); // steps 0..40: the state after the last update too
        var neurons = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.NeuronsFile));
        Assert.Equal([0L, 10, 20, 30, 40], neurons.Longs(TrajectorySchema.Step).Distinct().ToArray());
        Assert.Equal(5 * r.Analysis.Total, neurons.RowCount);
        // Step 0: every prediction equals the measured initial value.
        var step = neurons.Longs(TrajectorySchema.Step);
        var empirical = neurons.Doubles(TrajectorySchema.Empirical);
        var discrete = neurons.Doubles(TrajectorySchema.Discrete);
        for (int i = 0; i < neurons.RowCount && step[i] == 0; i++) Assert.Equal(empirical[i], discrete[i]);
    }

    [Fact]
    public void AnOutputFolderOfAnotherRunIsRefused()
    {
        using var dir = new TempDirectory();
        Trainer.Run(Small(dir.Path));
        var e = Assert.Throws<InvalidInputException>(() => Trainer.Run(Small(dir.Path) with { Seed = 6 }));
        Assert.Contains("seed", e.Message);
    }

    [Fact]
    public void NesterovWithBatchNormHasTheExactDiscretePredictionAndNaNWhereTheTheoryHasNone()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(Small(dir.Path) with
        {
            ModelOptions = new ModelOptions(Depth: 1, Hidden: 32, Norm: "batchnorm"),
            Optimizer = new SgdSettings(0.1, 1e-3, 0.9, Nesterov: true),
        });
        Assert.Equal(RunState.Finished, r.Status.State);
        Assert.DoesNotContain(r.Notes, n => n.StartsWith("no prediction:"));
        // The Nesterov recurrence, fed the recorded update, holds to float32 rounding.
        var discrete = r.Errors.Where(e => e.Predictor == TrajectorySchema.Discrete).ToList();
        Assert.Equal(3, discrete.Count);
        Assert.All(discrete, e => Assert.True(e.Max < 1e-4, $"{e.Kind}: max {e.Max:E2}"));
        Assert.DoesNotContain(r.Errors, e => e.Predictor == TrajectorySchema.Continuous);
        var layers = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.LayersFile));
        var kinds = layers.Strings(TrajectorySchema.Kind);
        var theory = layers.Doubles(TrajectorySchema.AngularSpeedTheory);
        var continuous = layers.Doubles(TrajectorySchema.Continuous);
        var empirical = layers.Doubles(TrajectorySchema.Empirical);
        Assert.Contains("scale", kinds);
        Assert.All(theory, t => Assert.True(double.IsNaN(t)));
        Assert.All(continuous, c => Assert.True(double.IsNaN(c)));
        Assert.All(empirical, e => Assert.True(double.IsFinite(e)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void NoDecayOnNormsAndBiasesIsPredictedExactlyByAdvancingThePartsSeparately(double momentum)
    {
        using var dir = new TempDirectory();
        var settings = (OptimizerSettings)new SgdSettings(0.1, 5e-3, momentum) with
        {
            NoDecay = DecayExclusion.Norm | DecayExclusion.Bias,
            Schedule = new NeuralMechanics.Training.Schedules.LrSchedule { Kind = NeuralMechanics.Training.Schedules.ScheduleKind.Cosine, WarmupSteps = 5 },
        };
        var r = Trainer.Run(Small(dir.Path) with { ModelOptions = new ModelOptions(Depth: 2, Hidden: 32, Norm: "batchnorm"), Optimizer = settings });
        Assert.Equal(RunState.Finished, r.Status.State);
        Assert.DoesNotContain(r.Notes, n => n.StartsWith("no prediction:"));
        var discrete = r.Errors.Where(e => e.Predictor == TrajectorySchema.Discrete).ToDictionary(e => e.Kind);
        Assert.Equal(3, discrete.Count);
        Assert.All(discrete.Values, e => Assert.True(e.Max < 1e-4, $"{e.Kind}: max {e.Max:E2}"));
        var metrics = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.MetricsFile));
        var lr = metrics.Doubles(TrajectorySchema.LearningRate);
        Assert.Equal(0.1 / 5, lr[0], 1e-17);
        Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI * 34 / 35)), lr[39], 1e-16);
    }

    [Fact]
    public void AdamBreaksTheConservationLawsAtZeroWeightDecayWhileTheUpdateIdentityHolds()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(Small(dir.Path) with
        {
            ModelOptions = new ModelOptions(Depth: 2, Hidden: 32, Norm: "batchnorm"),
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 1e-2 },
        });
        Assert.Equal(RunState.Finished, r.Status.State);
        var errors = r.Errors.ToDictionary(e => (e.Kind, e.Predictor));
        foreach (var kind in new[] { NeuralMechanics.Symmetry.SymmetryKind.Translation, NeuralMechanics.Symmetry.SymmetryKind.Scale, NeuralMechanics.Symmetry.SymmetryKind.Rescale })
        {
            Assert.True(errors[(kind, TrajectorySchema.Discrete)].Max < 1e-4, $"{kind} identity: {errors[(kind, TrajectorySchema.Discrete)].Max:E2}");
            // λ = 0: SGD would conserve Q up to η²-terms; Adam moves it by far more than the identity's rounding.
            Assert.True(errors[(kind, TrajectorySchema.GradientFlow)].Max > 100 * errors[(kind, TrajectorySchema.Discrete)].Max, $"{kind} gradient flow");
        }
        Assert.DoesNotContain(r.Errors, e => e.Predictor == TrajectorySchema.Continuous);
    }

    [Fact]
    public void EquilibriumTableHoldsTheAngularUpdatePerStepAndNormAgainstTheirEquilibriumValues()
    {
        using var dir = new TempDirectory();
        var r = Trainer.Run(Small(dir.Path) with { ModelOptions = new ModelOptions(Depth: 2, Hidden: 32, Norm: "batchnorm") });
        Assert.Equal(RunState.Finished, r.Status.State);
        var t = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.EquilibriumFile));
        var layersRows = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.LayersFile));
        int scaleSets = layersRows.Strings(TrajectorySchema.Kind).Count(k => k == "scale") / 41;
        Assert.Equal(41 * scaleSets, t.RowCount);
        // SGDM, η = 0.1, λ = 1e-3, β = 0.9: √(2ηλ/(1+β)).
        Assert.All(t.Doubles(TrajectorySchema.AngularUpdateTheory), v => Assert.Equal(Math.Sqrt(2 * 0.1 * 1e-3 / 1.9), v, 15));
        var angle = t.Doubles(TrajectorySchema.AngularUpdate);
        var speed = layersRows.Doubles(TrajectorySchema.AngularSpeed).Where((_, i) => layersRows.Strings(TrajectorySchema.Kind)[i] == "scale").ToArray();
        // Angle per step = η × the angular speed of the layers table.
        for (int i = scaleSets; i < angle.Length; i++) Assert.Equal(0.1 * speed[i], angle[i], 15);
        Assert.All(t.Doubles(TrajectorySchema.Norm), v => Assert.True(v > 0));
        Assert.All(t.Doubles(TrajectorySchema.EquilibriumNorm).Skip(scaleSets), v => Assert.True(v > 0 && double.IsFinite(v)));
    }
}
