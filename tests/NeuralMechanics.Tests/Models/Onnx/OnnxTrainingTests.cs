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
    private static RunSpec Spec(string dir, long steps, string? model = null) => new()
    {
        Model = model ?? Path.Combine(OnnxFixture.Folder, "cnn.onnx"), Data = "synthetic:3x8x8:4", BatchSize = 8, Steps = steps, Seed = 2,
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
            // The exact momentum recurrence in float32: rounding, at the zoo's level; scale groups are exact only up
            // to BatchNorm's ε (the test below), as the zoo's are (TrackingAccuracyTests: 1e-3).
            Assert.True(e.Median <= (e.Kind == SymmetryKind.Scale ? 1e-3 : 1e-6), $"{e.Kind}: {e.Median:E2}");
        }
        var halfway = Path.Combine(dir.Path, "resumed");
        Trainer.Run(Spec(halfway, 5));
        var resumed = Trainer.Resume(halfway, steps: 10);
        Assert.Equal(10, resumed.Steps);
        Assert.Equal(straight.FinalLoss, resumed.FinalLoss);
    }

    /// <summary>The cnn fixture with every BatchNormalization's epsilon attribute set to <paramref name="epsilon"/>, written to <paramref name="path"/>.</summary>
    private static string WithEpsilon(string path, float epsilon)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(OnnxFixture.Folder, "cnn.onnx")));
        int changed = 0;
        foreach (var node in model.Graph.Node.Where(n => n.OpType == "BatchNormalization"))
        {
            var attribute = node.Attribute.SingleOrDefault(a => a.Name == "epsilon");
            if (attribute is null)
                node.Attribute.Add(attribute = new global::Onnx.AttributeProto { Name = "epsilon", Type = global::Onnx.AttributeProto.Types.AttributeType.Float });
            attribute.F = epsilon;
            changed++;
        }
        Assert.Equal(3, changed); // bn1, bn2, bn3
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }

    [Fact]
    public void TheImportedCnnsScaleErrorAboveTheExactLevelIsBatchNormsEpsilon()
    {
        // The discrete scale law assumes ⟨g_A, θ_A⟩ = 0. Behind a BatchNorm with ε it is not: scaling channel c by α
        // moves its output by α√(σ²+ε)/√(α²σ²+ε), so ⟨g_A, θ_A⟩ = ρ·|g_A||θ_A| (up to a cosine) with
        // ρ = ε/(σ²+ε) (VerificationBounds.BatchNormScaleGradient; `--verify --precision float32` on this fixture
        // measures 4e-6 to 2e-5, about 2ε, where the zoo's Kaiming-initialised layers give at most 1.2ε: PyTorch's
        // default init leaves σ² ≈ 0.5). Per step Q = |θ_A|² then drifts from the law by 2η⟨v, θ_A⟩ with the
        // momentum velocity v ≤ g/(1−β): relative to Q at most 2η/(1−β)·ρ·|g_A|/|θ_A| = 1·ρ·|g_A|/|θ_A| here
        // (η = 0.05, β = 0.9), summed over the steps: with |g_A| ≲ |θ_A| and ρ ≤ 10ε, 20 steps give ≤ 2e-3, and
        // the zoo's BatchNorm VGG is held to 1e-3 for the same reason (TrackingAccuracyTests). Measured on a loaded
        // 2-core machine: scale median 8.7e-6 with the file's ε = 1e-5; with ε = 1e-12 it falls to 3.7e-8, the
        // level of translation (5.8e-8) and rescale (7.5e-8), so neither float32 rounding of the ONNX path nor its
        // order of computation adds anything: ε alone does.
        using var dir = new Data.TempDirectory();
        var withEpsilon = Trainer.Run(Spec(Path.Combine(dir.Path, "eps"), 20));
        var noEpsilon = Trainer.Run(Spec(Path.Combine(dir.Path, "no-eps"), 20, WithEpsilon(Path.Combine(dir.Path, "cnn-eps0.onnx"), 1e-12f)));
        double Median(TrainResult r, SymmetryKind kind) => r.Errors.Single(e => e.Kind == kind && e.Predictor == TrajectorySchema.Discrete).Median;
        foreach (var kind in new[] { SymmetryKind.Translation, SymmetryKind.Scale, SymmetryKind.Rescale })
            log.WriteLine($"{kind}: discrete median {Median(withEpsilon, kind):E2} with ε = 1e-5, {Median(noEpsilon, kind):E2} with ε = 1e-12");
        foreach (var r in new[] { withEpsilon, noEpsilon })
        {
            Assert.InRange(Median(r, SymmetryKind.Translation), 0, 1e-6);
            Assert.InRange(Median(r, SymmetryKind.Rescale), 0, 1e-6);
        }
        // Without ε the scale groups are exact and at the zoo's level; with it, within ε's bound and visibly above.
        Assert.InRange(Median(noEpsilon, SymmetryKind.Scale), 0, 1e-6);
        Assert.InRange(Median(withEpsilon, SymmetryKind.Scale), 10 * Median(noEpsilon, SymmetryKind.Scale), 2e-3);
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
