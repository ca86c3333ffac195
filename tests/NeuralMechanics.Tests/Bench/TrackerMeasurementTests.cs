using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Bench;

/// <summary>
/// The tracker's fused per-step reductions (one flat field per kind of quantity, each slice reduced
/// once, slices combined on the host) exist for speed only: per group they must give, bit for bit,
/// what the group set's own definitions compute with one tensor expression per slice.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class TrackerMeasurementTests
{
    public static TheoryData<string, string, string, double> Cases => new()
    {
        { "mlp", "none", "relu", 0.0 },
        { "mlp", "none", "relu", 0.9 },
        { "mlp", "layernorm", "relu", 0.0 },
        // Tanh leaves only the output layer's translation sets: fields over a single parameter.
        { "mlp", "none", "tanh", 0.9 },
        { "vgg11-bn", "none", "relu", 0.0 },
        { "vgg11-bn", "none", "relu", 0.9 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedReductionsGiveTheGroupDefinitionsBitForBit(string model, string norm, string activation, double momentum)
    {
        manual_seed(3);
        bool vgg = model.StartsWith("vgg", StringComparison.Ordinal);
        long[] shape = vgg ? [3, 32, 32] : [1, 8, 8];
        var zoo = ModelZoo.Create(model, shape, 10, new ModelOptions(Width: 1.0 / 16, Depth: 2, Hidden: 16, Activation: activation, Norm: norm));
        var analysis = SymmetryDiscovery.Discover(zoo.Architecture);
        var named = zoo.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var names = named.ToDictionary(p => p.parameter, p => p.name, (IEqualityComparer<TorchSharp.Modules.Parameter>)ReferenceEqualityComparer.Instance);
        var settings = new SgdSettings(0.05, 5e-4, momentum);
        var optimizer = new SgdOptimizer(named, settings);
        var x = randn([8, .. shape]);
        var y = randint(10, [8]);
        // Two backward passes around an update: θ, g and the momentum buffer are all non-trivial.
        Trainer.ForwardBackward(zoo.Network, optimizer, x, y, LossKind.CrossEntropy);
        optimizer.Step();
        Trainer.ForwardBackward(zoo.Network, optimizer, x, y, LossKind.CrossEntropy);
        Tensor? Velocity(TorchSharp.Modules.Parameter p) => optimizer.MomentumBuffer(names[p]);

        var reductions = new StepReductions();
        OptimizerSettings run = settings;
        var clock = new NeuralMechanics.Training.Schedules.ScheduleClock(run);
        var trackers = analysis.Sets.Select(s => new SetTracker(new NeuralMechanics.Tracking.Laws.SetLawContext(s, reductions, clock, run,
            [("all", settings.WeightDecay)], _ => settings.WeightDecay), LayerWeight(analysis, s))).ToList();
        reductions.Seal();
        var measured = reductions.Measure(Velocity);

        using var noGrad = no_grad();
        foreach (var tracker in trackers)
        {
            var set = tracker.Set;
            var r = tracker.Observe(0, measured);
            AssertBits(set.Quantity(), r.Q, $"{set.Kind} {set.Layer} Q");
            var terms = set.Terms();
            if (LayerWeight(analysis, set) is { } w)
                terms = maximum(terms, set.Combine(s => ones_like(s.Tensor)) * w.square().to(ScalarType.Float64).mean().sqrt());
            AssertBits(terms, r.Terms, $"{set.Kind} {set.Layer} terms");
            if (set.Kind == SymmetryKind.Translation) continue;
            var forcing = momentum > 0 ? set.NormSquared(p => Velocity(p)!) : set.NormSquared(p => p.grad!);
            AssertBits(forcing, r.Forcing!, $"{set.Kind} {set.Layer} forcing");
        }
        Assert.NotEmpty(trackers);
    }

    private static TorchSharp.Modules.Parameter? LayerWeight(SymmetryAnalysis analysis, SymmetryGroupSet set) =>
        set.Kind == SymmetryKind.Translation ? analysis.Architecture.Layers.FirstOrDefault(l => l.Name == set.A[0].Layer)?.Weight : null;

    private static void AssertBits(Tensor expected, double[] actual, string what)
    {
        var e = expected.cpu().data<double>().ToArray();
        Assert.True(e.Length == actual.Length, $"{what}: {e.Length} values expected, {actual.Length} found");
        for (int u = 0; u < e.Length; u++)
            Assert.True(BitConverter.DoubleToInt64Bits(e[u]) == BitConverter.DoubleToInt64Bits(actual[u]),
                $"{what}, group {u}: expected {e[u]:R}, found {actual[u]:R}");
    }
}
