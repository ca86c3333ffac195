using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// In a training session the tracker's sums ride the optimizer's update pass (<see cref="IUpdateTap"/>):
/// each block of θₙ, gₙ and vₙ is summed just before the update overwrites it. The blocks are the
/// ones the tracker uses when it sums at the observation itself, so the two must agree bit for bit,
/// for every optimizer (one without a pass lets the tracker read everything before it updates).
/// </summary>
[Collection(TorchRngCollection.Name)]
public class FusedUpdateTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "momentum", "nesterov", "no-decay-on-bias", "adam" };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void SumsTakenInsideTheUpdatePassEqualSumsTakenAtTheObservationBitForBit(string optimizer)
    {
        var settings = optimizer switch
        {
            "sgd" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4 },
            "momentum" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9 },
            "nesterov" => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9, Nesterov = true },
            "adam" => new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 5e-4 },
            _ => new OptimizerSettings { LearningRate = 0.05, WeightDecay = 5e-4, Momentum = 0.9, NoDecay = DecayExclusion.Bias },
        };
        // 784 inputs, 40 hidden units: the first weight (31,360 elements) is summed in two blocks of 20 rows.
        long[] shape = [1, 28, 28];
        var (fusedRun, atObservation) = (Run(settings, shape, fused: true), Run(settings, shape, fused: false));

        Assert.Equal(atObservation.Parameters.Length, fusedRun.Parameters.Length);
        for (int i = 0; i < fusedRun.Parameters.Length; i++)
            Assert.True(fusedRun.Parameters[i].SequenceEqual(atObservation.Parameters[i]), $"parameter {i} differs: the pass changed the update");
        Assert.Equal(atObservation.State.Keys.Order(), fusedRun.State.Keys.Order());
        foreach (var (key, expected) in atObservation.State)
            Assert.True(expected.SequenceEqual(fusedRun.State[key]), $"{key}: the sums taken in the pass differ from those at the observation");
        Assert.True(fusedRun.State.Values.Sum(v => v.Length) > 100);
    }

    private static (float[][] Parameters, Dictionary<string, double[]> State) Run(OptimizerSettings settings, long[] shape, bool fused)
    {
        manual_seed(21);
        var zoo = ModelZoo.Create("mlp", shape, 10, new ModelOptions(Depth: 2, Hidden: 40));
        var analysis = SymmetryDiscovery.Discover(zoo.Architecture);
        var named = zoo.Network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        var opt = NeuralMechanics.Training.Optimizers.Create(zoo.Network, settings);
        var tracker = new SymmetryTracker(analysis, opt, settings, named, new TrackerSinks(null, null, null, null)) { FusedUpdates = fused };
        var x = randn([16, .. shape]);
        var y = randint(10, [16]);
        for (long step = 0; step < 6; step++)
        {
            using var scope = NewDisposeScope();
            Trainer.ForwardBackward(zoo.Network, opt, x, y, LossKind.CrossEntropy);
            tracker.Observe(step, step % 2 == 0);
            opt.Step();
        }
        // The last observation has no update after it (as a run's final one): the tracker takes it at the flush.
        using (var scope = NewDisposeScope())
        {
            Trainer.ForwardBackward(zoo.Network, opt, x, y, LossKind.CrossEntropy);
            tracker.Observe(6, true);
        }
        var state = tracker.SaveState();
        var parameters = named.Select(p => p.parameter.detach().data<float>().ToArray()).ToArray();
        zoo.Network.Dispose();
        return (parameters, state);
    }
}
