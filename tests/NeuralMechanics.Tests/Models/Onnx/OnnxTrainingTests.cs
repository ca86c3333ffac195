using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Models.Onnx;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>An imported model trains as a zoo model does: `--model FILE.onnx`, tracked groups, checkpoints and resume.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class OnnxTrainingTests(ITestOutputHelper log)
{
    private static RunSpec Spec(string dir, long steps) => new()
    {
        Model = Path.Combine(OnnxFixture.Folder, "cnn.onnx"), Data = "synthetic:3x8x8:4", BatchSize = 8, Steps = steps, Seed = 2,
        Optimizer = new SgdSettings(0.05, 5e-4, 0.9), LogEvery = 1, CheckpointEvery = 5, EvalEvery = 0, OutDir = dir,
    };

    [Fact]
    public void AnImportedCnnTrainsWithItsGroupsTrackedAndResumesBitForBit()
    {
        using var dir = new Data.TempDirectory();
        var straight = Trainer.Run(Spec(Path.Combine(dir.Path, "straight"), 10));
        Assert.Equal((13L, 18L, 12L), (straight.Analysis.Count(SymmetryKind.Translation), straight.Analysis.Count(SymmetryKind.Scale), straight.Analysis.Count(SymmetryKind.Rescale)));
        foreach (var e in straight.Errors.Where(e => e.Predictor == TrajectorySchema.Discrete))
        {
            log.WriteLine($"{e.Kind} discrete median {e.Median:E2} max {e.Max:E2}");
            // The exact momentum recurrence in float32: rounding, far below gradient flow's error.
            Assert.True(e.Median < 1e-5, $"{e.Kind}: {e.Median:E2}");
        }
        var halfway = Path.Combine(dir.Path, "resumed");
        Trainer.Run(Spec(halfway, 5));
        var resumed = Trainer.Resume(halfway, steps: 10);
        Assert.Equal(10, resumed.Steps);
        Assert.Equal(straight.FinalLoss, resumed.FinalLoss);
    }

    [Fact]
    public void TheImportedTransformersMatrixChargesFollowTheDiscreteLawToRoundingOverTwentySteps()
    {
        const double Eta = 0.1, Lambda = 5e-4;
        const int Steps = 20;
        using var dir = new Data.TempDirectory();
        using var network = OnnxNetwork.Load(Path.Combine(OnnxFixture.Folder, "transformer.onnx"));
        var architecture = Architecture.Describe(network, network.ExampleShape, LossKind.CrossEntropy);
        using var generator = new Generator(5);
        using var x = randn([6, .. network.ExampleShape], generator: generator);
        using var y = randint(network.Classes, [6], generator: generator);
        var charges = new MatrixCharges(architecture, new SgdSettings(Eta, Lambda), new TrajectoryWriter(Path.Combine(dir.Path, "charges"), TrajectorySchema.ChargesColumns),
            new TrajectoryWriter(Path.Combine(dir.Path, "matrices"), TrajectorySchema.ChargeMatricesColumns));
        using (Scalar decay = 1 - Eta * Lambda, eta = Eta)
        {
            for (int n = 0; n <= Steps; n++)
            {
                using var scope = NewDisposeScope();
                foreach (var p in network.parameters()) p.grad?.zero_();
                nn.functional.cross_entropy(network.forward(x), y).backward();
                charges.Observe(n, false);
                using (no_grad())
                    foreach (var p in network.parameters()) p.mul_(decay).sub_(p.grad! * eta);
            }
        }
        charges.Flush();
        charges.Dispose();
        var table = TrajectoryReader.Read(Path.Combine(dir.Path, "charges"));
        // Two attentions × two heads × {qk, vo} per step.
        Assert.Equal((Steps + 1) * 2 * 2 * 2, table.RowCount);
        var discrete = table.Doubles(TrajectorySchema.Discrete);
        var terms = table.Doubles(TrajectorySchema.Terms);
        var relative = Enumerable.Range(0, table.RowCount).Select(i => discrete[i] / terms[i]).Order().ToList();
        double median = relative[relative.Count / 2];
        log.WriteLine($"charges: discrete error / (|A|² + |B|²) median {median:E2}, max {relative[^1]:E2}");
        Assert.True(median <= 1e-6, $"median {median:E2}");
    }

    [Fact]
    public void TheImportedTransformersGroupsFollowTheDiscreteLawOverTwentyTrackedStepsOnTheHostAndTheDevice()
    {
        var settings = new OptimizerSettings { LearningRate = 0.1, WeightDecay = 5e-4 };
        using var network = OnnxNetwork.Load(Path.Combine(OnnxFixture.Folder, "transformer.onnx"));
        var analysis = SymmetryDiscovery.Discover(Architecture.Describe(network, network.ExampleShape, LossKind.CrossEntropy));
        var named = network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var opt = Optimizers.Create(network, settings);
        var sinks = new TrackerSinks(null, null, null, null);
        // The host sums read a block of in_proj_weight from its memory at an offset; the device path narrows the tensor.
        var host = new SymmetryTracker(analysis, opt, settings, named, sinks);
        var device = new SymmetryTracker(analysis, opt, settings, named, sinks) { FlushEvery = 1, HostKernel = false };
        using var generator = new Generator(7);
        using var x = randn([6, .. network.ExampleShape], generator: generator);
        using var y = randint(network.Classes, [6], generator: generator);
        for (long step = 0; step <= 20; step++)
        {
            using var scope = NewDisposeScope();
            Trainer.ForwardBackward(network, opt, x, y, LossKind.CrossEntropy);
            host.Observe(step, true);
            device.Observe(step, true);
            opt.Step();
        }
        Assert.Equal((101L, 96L), (analysis.Count(SymmetryKind.Translation), analysis.Count(SymmetryKind.Rescale)));
        foreach (var e in host.Errors.Rows().Where(e => e.Predictor == TrajectorySchema.Discrete))
        {
            log.WriteLine($"{e.Kind} discrete median {e.Median:E2} max {e.Max:E2} ({e.Count})");
            Assert.True(e.Median <= 1e-6, $"{e.Kind}: {e.Median:E2}");
        }
        var a = host.SaveState();
        var b = device.SaveState();
        foreach (var (key, expected) in b.Where(kv => !kv.Key.StartsWith("errors/", StringComparison.Ordinal)))
        {
            double size = expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            for (int i = 0; i < expected.Length; i++)
                if (!double.IsNaN(expected[i]))
                    Assert.True(Math.Abs(a[key][i] - expected[i]) <= 1e-11 * Math.Abs(expected[i]) + 1e-13 * size, $"{key} [{i}]: device {expected[i]:R}, host {a[key][i]:R}");
        }
    }
}
