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
        Model = "mlp", Data = "synthetic", InputShape = [1, 8, 8], Classes = 10, Loss = "cross-entropy",
        Optimizer = optimizer, BatchSize = 32, Steps = 100, Seed = 7,
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
        var read = JsonSerializer.Deserialize<RunManifest>(json, RunManifest.Json)!;
        Assert.Equal(settings, read.Optimizer);
        var drops = settings with { Kind = OptimizerKind.Sgd, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8, Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [30000, 60000], DropRate = 0.1 } };
        Assert.Equal(drops, JsonSerializer.Deserialize<RunManifest>(JsonSerializer.Serialize(Manifest(drops), RunManifest.Json), RunManifest.Json)!.Optimizer);
    }

    [Fact]
    public void ManifestWrittenBeforeOptimizersAndSchedulesReadsAsConstantRateSgd()
    {
        const string old = """
            {"model": "mlp", "data": "synthetic", "input_shape": [1, 8, 8], "classes": 10, "loss": "cross-entropy",
             "optimizer": {"learning_rate": 0.1, "weight_decay": 0.0001, "momentum": 0.9, "dampening": 0, "nesterov": false, "time_per_step": 0.1},
             "batch_size": 32, "steps": 100, "seed": 7}
            """;
        var m = JsonSerializer.Deserialize<RunManifest>(old, RunManifest.Json)!;
        Assert.Equal((OptimizerSettings)new SgdSettings(0.1, 1e-4, 0.9), m.Optimizer);
        Assert.True(m.Optimizer.Schedule.IsConstant);
        Assert.Equal(DecayExclusion.None, m.Optimizer.NoDecay);
    }

    [Fact]
    public void SweepPointCommandLineSpellsOutTheOptimizerAndSchedule()
    {
        var c = new TrainConfig
        {
            Model = "mlp", OutDir = "out/p", Steps = 10,
            Optimizer = new OptimizerSettings
            {
                Kind = OptimizerKind.Adam, LearningRate = 1e-3, Beta1 = 0.8, Beta2 = 0.99, Eps = 1e-7, NoDecay = DecayExclusion.Bias,
                Schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [5, 8], DropRate = 0.5, WarmupSteps = 2 },
            },
        };
        var line = SweepCommandLine.Shell(SweepCommandLine.Train(c));
        Assert.Contains("--optimizer adam --betas 0.8,0.99 --eps 1E-07 --no-decay bias --schedule step --lr-drops 5,8 --lr-drop-rate 0.5 --warmup-steps 2", line);
        Assert.DoesNotContain("--optimizer", SweepCommandLine.Shell(SweepCommandLine.Train(c with { Optimizer = new SgdSettings(0.1) })));
    }
}
