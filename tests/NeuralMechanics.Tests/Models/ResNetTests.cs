using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models;

[Collection(TorchRngCollection.Name)]
public class ResNetTests
{
    // A 3×3 bias-free convolution and its BatchNorm (γ, β per channel).
    private static long ConvBn(long cin, long cout, long k = 3) => cin * cout * k * k + 2 * cout;

    [Fact]
    public void ResNet18On32x32With10ClassesHas11173962Parameters()
    {
        long stem = ConvBn(3, 64);                                              // 1,856
        long stage1 = 4 * ConvBn(64, 64);                                       // 147,968
        long stage2 = ConvBn(64, 128) + 3 * ConvBn(128, 128) + ConvBn(64, 128, 1);   // 525,568 with the 1×1 projection
        long stage3 = ConvBn(128, 256) + 3 * ConvBn(256, 256) + ConvBn(128, 256, 1); // 2,099,712
        long stage4 = ConvBn(256, 512) + 3 * ConvBn(512, 512) + ConvBn(256, 512, 1); // 8,393,728
        long head = 512 * 10 + 10;
        Assert.Equal(11_173_962, stem + stage1 + stage2 + stage3 + stage4 + head);
        var model = ModelZoo.Create("resnet18", [3, 32, 32], 10);
        Assert.Equal(11_173_962, model.Architecture.ParameterCount);
        Assert.Equal(11_173_962, model.Network.parameters().Sum(p => p.numel()));
        Assert.Empty(model.Architecture.UndescribedParameters);
    }

    [Fact]
    public void ResNet34On32x32With10ClassesHas21282122Parameters()
    {
        long stem = ConvBn(3, 64);
        long stage1 = 6 * ConvBn(64, 64);
        long stage2 = ConvBn(64, 128) + 7 * ConvBn(128, 128) + ConvBn(64, 128, 1);
        long stage3 = ConvBn(128, 256) + 11 * ConvBn(256, 256) + ConvBn(128, 256, 1);
        long stage4 = ConvBn(256, 512) + 5 * ConvBn(512, 512) + ConvBn(256, 512, 1);
        Assert.Equal(21_282_122, stem + stage1 + stage2 + stage3 + stage4 + 512 * 10 + 10);
        Assert.Equal(21_282_122, ModelZoo.Create("resnet34", [3, 32, 32], 10).Architecture.ParameterCount);
    }

    [Theory]
    [InlineData(1, 28, 28, 10)]
    [InlineData(3, 64, 64, 200)]
    public void ResNetAtAnEighthOfTheWidthMapsImagesToClassScores(long channels, long height, long width, int classes)
    {
        var model = ModelZoo.Create("resnet18", [channels, height, width], classes, new ModelOptions(Width: 0.125));
        Assert.Equal([8L, 16, 32, 64], model.Architecture.Layers.Where(l => l.Name.EndsWith(".0.conv1")).Select(l => l.Units));
        Assert.Equal([64L], model.Architecture.Layers.Single(l => l.Name == "fc").InputShape);
        model.Network.eval();
        using var y = model.Network.forward(zeros(2, channels, height, width));
        Assert.Equal([2L, classes], y.shape);
        Assert.Contains(model.Notes, n => n.Contains("width ×0.125"));
    }

    [Theory]
    [InlineData("resnet18", 0.125)]
    [InlineData("resnet34", 0.25)]
    public void ResNetConvolutionChannelsAreKnownBeforeTheModelIsBuilt(string name, double width)
    {
        var predicted = ModelZoo.ConvolutionChannels(name, new ModelOptions(Width: width));
        var built = ModelZoo.Create(name, [3, 32, 32], 10, new ModelOptions(Width: width)).Architecture.Layers
            .Where(l => l.Operation == Operations.Conv2d).Select(l => l.Units).ToList();
        Assert.Equal(built, predicted);
    }

    [Fact]
    public void ResNetConvolutionsAreKaimingNormalFanOutAndBiasFree()
    {
        torch.manual_seed(5);
        var model = ModelZoo.Create("resnet18", [3, 32, 32], 10, new ModelOptions(Width: 0.5));
        var conv = model.Architecture.Layers.Single(l => l.Name == "layer3.1.conv1");
        Assert.Null(conv.Bias);
        // fan_out = 128 channels · 3 · 3: std √(2/1152).
        Assert.InRange(conv.Weight!.std().ReadDouble() / Math.Sqrt(2.0 / (128 * 9)), 0.97, 1.03);
        var bn = model.Architecture.Layers.Single(l => l.Name == "layer3.1.bn1");
        Assert.Equal(1, bn.Weight!.min().ReadDouble());
        Assert.Equal(0, bn.Bias!.abs().max().ReadDouble());
    }
}
