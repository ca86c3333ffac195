using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

/// <summary>
/// On the CPU a convolutional network's image batches enter in channels-last memory
/// (<see cref="InputLayout"/>): the same values under other strides, so the network computes the
/// same function, to float32 rounding of the convolutions' other summation order.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class InputLayoutTests
{
    [Fact]
    public void AChannelsLastBatchHoldsTheSameValuesWithNhwcStrides()
    {
        manual_seed(31);
        using var x = randn(4, 3, 5, 6);
        using var nhwc = InputLayout.ChannelsLast(x);
        Assert.Equal(x.shape, nhwc.shape);
        Assert.Equal([3L * 5 * 6, 1L, 6L * 3, 3L], nhwc.stride());
        Assert.True(nhwc.equal(x).all().ReadBoolean());
    }

    [Fact]
    public void OnlyCpuFloat32ChainsOfConvolutionsTakeChannelsLast()
    {
        manual_seed(32);
        var vgg = ModelZoo.Create("vgg11", [3, 16, 16], 10, new ModelOptions(Width: 1.0 / 16));
        var mlp = ModelZoo.Create("mlp", [1, 8, 8], 10, new ModelOptions(Depth: 1, Hidden: 8));
        var vgg64 = ModelZoo.Create("vgg11", [3, 16, 16], 10, new ModelOptions(Width: 1.0 / 16), dtype: ScalarType.Float64);
        var resnet = ModelZoo.Create("resnet18", [3, 16, 16], 10, new ModelOptions(Width: 1.0 / 16));
        Assert.True(InputLayout.ChannelsLastFor(vgg.Network, vgg.Architecture));
        Assert.False(InputLayout.ChannelsLastFor(mlp.Network, mlp.Architecture));
        Assert.False(InputLayout.ChannelsLastFor(vgg64.Network, vgg64.Architecture));
        // Residual networks stay in NCHW: oneDNN's channels-last gradients of a ResNet's 1×1 stride-2 shortcut were not reproducible.
        Assert.False(InputLayout.ChannelsLastFor(resnet.Network, resnet.Architecture));
    }

    [Theory]
    [InlineData("vgg11")]
    [InlineData("vgg11-bn")]
    public void ANetworkGivesTheSameLossAndGradientsFromEitherLayoutEveryTime(string model)
    {
        manual_seed(33);
        var zoo = ModelZoo.Create(model, [3, 16, 16], 10, new ModelOptions(Width: 1.0 / 16));
        var opt = Optimizers.Create(zoo.Network, new OptimizerSettings { LearningRate = 0.1 });
        var x = randn(8, 3, 16, 16);
        var y = randint(10, [8]);
        // The same dropout masks for both passes.
        manual_seed(34);
        var (nchwLoss, _) = Trainer.ForwardBackward(zoo.Network, opt, x, y, LossKind.CrossEntropy);
        var nchw = zoo.Network.parameters().Select(p => p.grad!.clone()).ToArray();
        manual_seed(34);
        var (nhwcLoss, _) = Trainer.ForwardBackward(zoo.Network, opt, InputLayout.ChannelsLast(x), y, LossKind.CrossEntropy);
        var nhwc = zoo.Network.parameters().Select(p => p.grad!.clone()).ToArray();
        manual_seed(34);
        Trainer.ForwardBackward(zoo.Network, opt, InputLayout.ChannelsLast(x), y, LossKind.CrossEntropy);
        var again = zoo.Network.parameters().Select(p => p.grad!).ToArray();

        Assert.Equal(nchwLoss, nhwcLoss, 1e-5 * Math.Abs(nchwLoss));
        // A bias before BatchNorm has gradient 0 in exact arithmetic: its float32 value is rounding of the others' size.
        double largest = nchw.Max(g => g.abs().max().ReadDouble());
        for (int i = 0; i < nchw.Length; i++)
        {
            double scale = nchw[i].abs().max().ReadDouble(), difference = (nchw[i] - nhwc[i]).abs().max().ReadDouble();
            Assert.True(difference <= 1e-4 * scale + 1e-5 * largest, $"parameter {i}: gradients differ by {difference:g3} (largest {scale:g3}, of all {largest:g3})");
            Assert.True(nhwc[i].equal(again[i]).all().ReadBoolean(), $"parameter {i}: two channels-last passes gave different gradients");
        }
        zoo.Network.Dispose();
    }
}
