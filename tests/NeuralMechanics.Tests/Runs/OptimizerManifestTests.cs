using System.Text.Json;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tests.Runs;

/// <summary>The manifest carries the optimizer, its groups and schedule; manifests written before them read as constant-η SGD.</summary>
public class OptimizerManifestTests
{
    private static RunManifest Manifest(OptimizerSettings optimizer) => new()
    {
        Spec = new RunSpec { Model = "mlp", Data = "synthetic", Optimizer = optimizer, BatchSize = 32, Steps = 100, Seed = 7 },
        InputShape = [1, 8, 8], Classes = 10,
    };

    [Fact]
    public void AdamWWithGroupsAndACosineScheduleReadsBackEqual()
    {
        var settings = new OptimizerSettings
        {
            Kind = OptimizerKind.AdamW, LearningRate = 1e-3, WeightDecay = 0.05, Beta1 = 0.8, Beta2 = 0.99, Eps = 1e-6,
            NoDecay = DecayExclusion.Norm | DecayExclusion.Bias,
            Schedule = new LrSchedule { Kind = ScheduleKind.Cosine, WarmupSteps = 50, Horizon = 400 },
        };
        var json = JsonSerializer.Serialize(Manifest(settings), RunManifest.Json);
        Assert.Contains("\"kind\": \"adamw\"", json);
        Assert.Contains("\"no_decay\": \"norm, bias\"", json);
        var read = RunManifest.Parse(json);
        Assert.Equal(settings, read.Optimizer);
        var drops = settings with { Kind = OptimizerKind.Sgd, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [30000, 60000], DropRate = 0.1 } };
        Assert.Equal(drops, RunManifest.Parse(JsonSerializer.Serialize(Manifest(drops), RunManifest.Json)).Optimizer);
    }

    [Fact]
    public void ManifestWrittenBeforeOptimizersAndSchedulesReadsAsConstantRateSgd()
    {
        const string old = """
            {"model": "mlp", "data": "synthetic", "input_shape": [1, 8, 8], "classes": 10, "loss": "cross-entropy",
             "optimizer": {"learning_rate": 0.1, "weight_decay": 0.0001, "momentum": 0.9, "dampening": 0, "nesterov": false, "time_per_step": 0.1},
             "batch_size": 32, "steps": 100, "seed": 7}
            """;
        var m = RunManifest.Parse(old);
        Assert.Equal((OptimizerSettings)new SgdSettings(0.1, 1e-4, 0.9), m.Optimizer);
        Assert.True(m.Optimizer.Schedule.IsConstant);
        Assert.Equal(DecayExclusion.None, m.Optimizer.NoDecay);
    }

    [Fact]
    public void ASpecificationWithAdamAndAStepScheduleReadsBackFromItsFile()
    {
        var c = new RunSpec
        {
            Model = "mlp", OutDir = "out/p", Steps = 10,
            Optimizer = new OptimizerSettings
            {
                Kind = OptimizerKind.Adam, LearningRate = 1e-3, Beta1 = 0.8, Beta2 = 0.99, Eps = 1e-7, NoDecay = DecayExclusion.Bias,
                Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [5, 8], DropRate = 0.5, WarmupSteps = 2 },
            },
        };
        var file = Path.Combine(Directory.CreateTempSubdirectory("nm-spec-").FullName, "spec.json");
        c.Write(file);
        Assert.Equal(c with { OutDir = "" }, RunSpec.Read(file));
        Assert.DoesNotContain("out/p", File.ReadAllText(file));
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public void AMisspeltFieldOfASpecificationIsAnErrorNamingTheFileAndTheField()
    {
        var dir = Directory.CreateTempSubdirectory("nm-spec-").FullName;
        var file = Path.Combine(dir, "spec.json");
        File.WriteAllText(file, """{"model": "mlp", "optimizer": {"learning_rate": 0.05}, "bacth_size": 3}""");

        var e = Assert.Throws<InvalidInputException>(() => RunSpec.Read(file));

        Assert.StartsWith($"{file}: $.bacth_size: expected a run specification", e.Message);
        Directory.Delete(dir, recursive: true);
    }
}
