using System.Text.Json.Nodes;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Resume;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// Test accuracy during the run (<see cref="EvalAccuracy"/>): an <c>eval/</c> table of (step,
/// test_accuracy) every <see cref="RunSpec.EvalEvery"/> steps that leaves the training trajectory as it is.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class EvalAccuracyTests
{
    private const long Steps = 30;

    [Fact]
    public void ARunEvaluatedEveryTwoStepsTrainsBitForBitLikeOneNeverEvaluated()
    {
        using var dir = new TempDirectory();
        string plain = Path.Combine(dir.Path, "plain"), evaluated = Path.Combine(dir.Path, "evaluated");
        // BatchNorm: its running statistics are buffers an evaluation in training mode would move.
        Trainer.Run(ResumeConfigs.Mlp("batchnorm", plain, Steps) with { EvalEvery = 0 });
        Trainer.Run(ResumeConfigs.Mlp("batchnorm", evaluated, Steps) with { EvalEvery = 2 });

        Assert.False(Directory.Exists(Path.Combine(plain, EvalAccuracy.Folder)));
        Assert.Equal(16, TrajectoryReader.Read(Path.Combine(evaluated, EvalAccuracy.Folder)).RowCount);
        RunComparison.AssertSameCheckpoint(plain, evaluated);
        foreach (var table in RunComparison.Tables.Where(t => t != EvalAccuracy.Folder))
            RunComparison.AssertSameTable(Path.Combine(plain, table), Path.Combine(evaluated, table));
    }

    [Fact]
    public void TheEvalTableHoldsStepAndTestAccuracyEveryKStepsEndingWithTheFinalTestAccuracy()
    {
        using var dir = new TempDirectory();
        var result = Trainer.Run(ResumeConfigs.Mlp("none", dir.Path, Steps) with { EvalEvery = 4 });

        var eval = TrajectoryReader.Read(Path.Combine(dir.Path, EvalAccuracy.Folder));
        Assert.Equal([TrajectoryColumn.Long("step"), TrajectoryColumn.Double("test_accuracy")], eval.Columns);
        // 0, 4, …, 28 before updates, then the state after the last (step 30).
        Assert.Equal([0L, 4, 8, 12, 16, 20, 24, 28, 30], eval.Longs(TrajectorySchema.Step));
        var accuracy = eval.Doubles(EvalAccuracy.TestAccuracyColumn);
        Assert.Equal(result.TestAccuracy, accuracy[^1]);
        Assert.All(accuracy, a => Assert.InRange(a, 0, 1));
    }

    /// <summary>Runs <paramref name="spec"/> through a session whose test accuracy counts its passes over the test split.</summary>
    private static (int Passes, TrainResult Result, double AccuracyAfter) RunCountingTestPasses(RunSpec spec)
    {
        manual_seed(spec.Seed);
        var split = DataSets.Load(spec.Data, spec.DataDir, spec.Seed);
        var train = split.Train.Take(spec.TrainLimit!.Value);
        var norm = Normalization.Compute(train);
        var zoo = ModelZoo.Create(spec.Model, [1, 8, 8], 4, spec.ModelOptions, spec.Loss);
        using var loader = new BatchLoader(train, spec.BatchSize, norm, CPU, shuffle: true, seed: spec.Seed);
        int passes = 0;
        double Test(nn.Module<Tensor, Tensor> network)
        {
            passes++;
            return Trainer.Evaluate(network, split.Test, norm, spec.BatchSize, CPU);
        }

        TrainResult result;
        using (var session = TrainingSession.Start(zoo.Network, zoo.Architecture, spec, loader, Test)) result = session.Run();
        int counted = passes;
        return (counted, result, Test(zoo.Network));
    }

    [Fact]
    public void EachEvalRowIsOnePassOverTheTestSplitAndTheFinalResultReusesTheLastRowsPass()
    {
        using var dir = new TempDirectory();
        var (passes, result, _) = RunCountingTestPasses(ResumeConfigs.Mlp("none", dir.Path, 12) with { EvalEvery = 4 });

        var eval = TrajectoryReader.Read(Path.Combine(dir.Path, EvalAccuracy.Folder));
        // Steps 0, 4, 8 before their updates and 12 after the last: four rows, four passes, not five.
        Assert.Equal([0L, 4, 8, 12], eval.Longs(TrajectorySchema.Step));
        Assert.Equal(4, passes);
        Assert.Equal(eval.Doubles(EvalAccuracy.TestAccuracyColumn)[^1], result.TestAccuracy);
    }

    [Fact]
    public void ARunWithoutTheEvalTablePassesOverTheTestSplitOnceForItsResult()
    {
        using var dir = new TempDirectory();
        var (passes, result, after) = RunCountingTestPasses(ResumeConfigs.Mlp("none", dir.Path, 6) with { EvalEvery = 0 });

        Assert.Equal(1, passes);
        Assert.Equal(after, result.TestAccuracy);
    }

    [Fact]
    public void TheFirstRowIsTheAccuracyOfTheInitialisedNetworkOnTheTestSplit()
    {
        using var dir = new TempDirectory();
        // Without BatchNorm: the forward pass of step 0 moves no running statistic before the evaluation.
        var spec = ResumeConfigs.Mlp("none", dir.Path, 3) with { EvalEvery = 5 };
        Trainer.Run(spec);

        // The same network as initialised, evaluated directly.
        manual_seed(spec.Seed);
        var split = DataSets.Load(spec.Data, spec.DataDir, spec.Seed);
        var train = split.Train.Take(spec.TrainLimit!.Value);
        var norm = Normalization.Compute(train);
        var model = ModelZoo.Create(spec.Model, [1, 8, 8], 4, spec.ModelOptions, spec.Loss);
        double expected = Trainer.Evaluate(model.Network, split.Test, norm, spec.BatchSize, CPU);

        var eval = TrajectoryReader.Read(Path.Combine(dir.Path, EvalAccuracy.Folder));
        Assert.Equal([0L, 3], eval.Longs(TrajectorySchema.Step));
        Assert.Equal(expected, eval.Doubles(EvalAccuracy.TestAccuracyColumn)[0]);
    }

    [Theory]
    [InlineData(1000, 50)]
    [InlineData(30, 1)]
    [InlineData(5, 1)]
    public void TheDefaultIsAboutTwentyEvaluationsARun(long steps, int every)
    {
        var spec = ResumeConfigs.Mlp("none", "unused", steps);
        Assert.Equal(every, spec.ResolvedFor(steps).EvalEvery);
        Assert.Equal(0, (spec with { EvalEvery = 0 }).ResolvedFor(steps).EvalEvery);
    }

    [Fact]
    public void ANegativeIntervalIsRefusedNamingTheOption()
    {
        var e = Assert.Throws<InvalidInputException>(() => (ResumeConfigs.Mlp("none", "unused", 5) with { EvalEvery = -1 }).ValidateTraining());
        Assert.Contains("--eval-every", e.Message);
    }

    [Fact]
    public void ARunWhoseManifestPredatesEvalEveryResumesAndEvaluates()
    {
        using var dir = new TempDirectory();
        Trainer.Run(ResumeConfigs.Mlp("none", dir.Path, 10) with { EvalEvery = 0 });
        // A manifest written before eval_every existed.
        var manifestPath = Path.Combine(dir.Path, TrajectorySchema.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.True(manifest["spec"]!.AsObject().Remove("eval_every"));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        Assert.Null(RunDirectory.Open(dir.Path).Manifest.Spec.EvalEvery);

        var result = Trainer.Resume(dir.Path, steps: 20);

        Assert.Equal((RunState.Finished, 20L), (result.Status.State, result.Steps));
        // Resolved by the default for 20 steps: every step from the resumed one, and after the last.
        Assert.Equal(Enumerable.Range(10, 11).Select(i => (long)i), TrajectoryReader.Read(Path.Combine(dir.Path, EvalAccuracy.Folder)).Longs(TrajectorySchema.Step));
    }
}
