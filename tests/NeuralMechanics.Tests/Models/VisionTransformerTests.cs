using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models;

[Collection(TorchRngCollection.Name)]
public class VisionTransformerTests
{
    [Fact]
    public void TheDefaultVitOnFashionMnistHas138890Parameters()
    {
        long patch = 64 * 1 * 7 * 7 + 64;                 // Conv2d(1, 64, 7, stride 7) with bias: 3,200
        long pos = 16 * 64;                               // (28/7)² = 16 tokens: 1,024
        long block = 2 * 64 + 4 * (64 * 64 + 64)          // ln1; q, k, v, o
            + 2 * 64 + (64 * 128 + 128) + (128 * 64 + 64); // ln2; fc1, fc2 (r = 2): 33,472
        long tail = 2 * 64 + 64 * 10 + 10;                // final LayerNorm, head: 778
        Assert.Equal(138_890, patch + pos + 4 * block + tail);
        var model = ModelZoo.Create("vit", [1, 28, 28], 10, ModelZoo.DefaultOptions("vit"));
        Assert.Equal(138_890, model.Architecture.ParameterCount);
        Assert.Equal(138_890, model.Network.parameters().Sum(p => p.numel()));
        Assert.Empty(model.Architecture.UndescribedParameters);
    }

    [Fact]
    public void TheZooDefaultsOfTheVitAreFourBlocksAndGelu()
    {
        var d = ModelZoo.DefaultOptions("vit");
        Assert.Equal((4, "gelu", 7, 64, 4, 2.0), (d.Depth, d.Activation, d.Patch, d.Dim, d.Heads, d.MlpRatio));
        Assert.Equal((2, "relu"), (ModelZoo.DefaultOptions("mlp").Depth, ModelZoo.DefaultOptions("mlp").Activation));
        var graph = ModelZoo.Create("vit", [1, 28, 28], 10, d).Architecture;
        Assert.Equal(4, graph.Layers.Count(l => l.Operation == Operations.Attention && l.Heads == 4));
        Assert.Equal(4, graph.Layers.Count(l => l.Operation == Operations.GELU));
    }

    [Fact]
    public void AttentionIsTheSoftmaxOfQueryKeyProductsOverKeysPerHeadTimesTheValues()
    {
        // Two heads of d_h = 2 over T = 3 tokens, against the sum written out per head.
        var generator = new Generator(3);
        var q = randn([1, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var k = randn([1, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var v = randn([1, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var out_ = ScaledDotProductAttention.Compute(q, k, v, 2);
        var qd = q.data<double>().ToArray(); var kd = k.data<double>().ToArray(); var vd = v.data<double>().ToArray(); var od = out_.data<double>().ToArray();
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 3; i++)
            {
                var logits = Enumerable.Range(0, 3).Select(j => (qd[i * 4 + 2 * h] * kd[j * 4 + 2 * h] + qd[i * 4 + 2 * h + 1] * kd[j * 4 + 2 * h + 1]) / Math.Sqrt(2)).ToArray();
                var weights = logits.Select(Math.Exp).ToArray();
                double z = weights.Sum();
                for (int c = 0; c < 2; c++)
                    Assert.Equal(Enumerable.Range(0, 3).Sum(j => weights[j] / z * vd[j * 4 + 2 * h + c]), od[i * 4 + 2 * h + c], 12);
            }
    }

    [Theory]
    [InlineData(5, "--patch")]
    [InlineData(7, "--heads")]
    public void APatchThatDoesNotTileTheImageOrHeadsThatDoNotDivideTheFeaturesAreRefused(int value, string option)
    {
        var options = option == "--patch" ? ModelZoo.DefaultOptions("vit") with { Patch = value } : ModelZoo.DefaultOptions("vit") with { Heads = value };
        var e = Assert.Throws<InvalidInputException>(() => ModelZoo.Create("vit", [1, 28, 28], 10, options));
        Assert.Contains(option, e.Message);
    }
}
