using TorchSharp;
using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models;

[Collection(TorchRngCollection.Name)]
public class BatchNormCounterTests
{
    [Fact]
    public void WithAFixedMomentumTheRunningStatisticsAreTheSameWithoutTheCounter()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using Scalar one = 1, two = 2, keep = 0.9, take = 0.1;
        var batches = Enumerable.Range(0, 4).Select(_ => randn(8, 5, 3, 3) * two + one).ToArray();
        var with = nn.BatchNorm2d(5, momentum: 0.1);
        var without = nn.BatchNorm2d(5, momentum: 0.1);
        Assert.Equal(1, BatchNormCounter.RemoveUnused(without));
        foreach (var x in batches) { with.forward(x); without.forward(x); }

        Assert.Null(without.num_batches_tracked);
        Assert.Equal(4L, with.num_batches_tracked!.ReadInt64());
        // PyTorch's update written out: r ← (1 − m)r + m·stat, starting at mean 0 and variance 1.
        var mean = zeros(5, dtype: ScalarType.Float64);
        var variance = ones(5, dtype: ScalarType.Float64);
        foreach (var x in batches)
        {
            var xd = x.to(ScalarType.Float64);
            mean = keep * mean + take * xd.mean([0, 2, 3]);
            variance = keep * variance + take * xd.var([0, 2, 3], unbiased: true);
        }
        Assert.True(allclose(without.running_mean!.to(ScalarType.Float64), mean, rtol: 1e-5, atol: 1e-6));
        Assert.True(allclose(without.running_var!.to(ScalarType.Float64), variance, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(with.running_mean!.data<float>().ToArray(), without.running_mean!.data<float>().ToArray());
        Assert.Equal(with.running_var!.data<float>().ToArray(), without.running_var!.data<float>().ToArray());
    }

    [Fact]
    public void CumulativeAveragingKeepsItsCounterAndZooModelsHaveNone()
    {
        var cumulative = nn.BatchNorm1d(3);
        cumulative.momentum = null;
        Assert.Equal(0, BatchNormCounter.RemoveUnused(cumulative));
        Assert.NotNull(cumulative.num_batches_tracked);

        var vgg = ModelZoo.Create("vgg11-bn", [3, 32, 32], 10, new ModelOptions(Width: 1.0 / 16));
        var bns = vgg.Network.modules().OfType<BatchNorm>().ToList();
        Assert.Equal(8, bns.Count);
        Assert.All(bns, bn => Assert.Null(bn.num_batches_tracked));
        Assert.DoesNotContain(vgg.Network.state_dict().Keys, k => k.EndsWith("num_batches_tracked"));
    }
}
