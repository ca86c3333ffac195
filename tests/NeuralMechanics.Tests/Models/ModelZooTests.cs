using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models;

[Collection(TorchRngCollection.Name)]
public class ModelZooTests
{
    [Fact]
    public void Vgg16OnTinyImageNetHasThePapersParameterCount()
    {
        // Table 5: 14,714,688 conv + 2048·1024+1024 + 1024·1024+1024 + 1024·200+200.
        var model = ModelZoo.Create("vgg16", [3, 64, 64], 200);
        Assert.Equal(18_067_464, model.Architecture.ParameterCount);
        Assert.Equal(18_067_464, model.Network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Vgg16BnAddsTwoParametersPerChannel()
    {
        var model = ModelZoo.Create("vgg16-bn", [3, 64, 64], 200);
        Assert.Equal(18_075_912, model.Architecture.ParameterCount);
        Assert.Equal(13, model.Architecture.Layers.Count(l => l.Operation == Operations.BatchNorm2d));
    }

    [Fact]
    public void VggOnSmallInputsSkipsThePoolThatWouldReachZeroAndSaysSo()
    {
        var model = ModelZoo.Create("vgg11", [1, 28, 28], 10, new ModelOptions(Width: 0.125));
        // 28 -> 14 -> 7 -> 3 -> 1; the fifth pool is skipped.
        Assert.Equal(4, model.Architecture.Layers.Count(l => l.Operation == Operations.MaxPool2d));
        Assert.Contains(model.Notes, n => n.Contains("pool5 skipped"));
        var fc1 = model.Architecture.Layers.Single(l => l.Name == "fc1");
        Assert.Equal([64L], fc1.InputShape); // 512/8 channels × 1 × 1
        Assert.Equal([32L], fc1.OutputShape);
        using var y = model.Network.forward(zeros(4, 1, 28, 28));
        Assert.Equal([4L, 10L], y.shape);
    }

    [Fact]
    public void VggReferenceInitialisationHasKaimingConvolutionsAndANarrowClassifier()
    {
        torch.manual_seed(1);
        var model = ModelZoo.Create("vgg11-bn", [3, 32, 32], 10, new ModelOptions(Width: 0.5, Init: Initialisation.Reference));
        var layers = model.Architecture.Layers;
        var conv = layers.Single(l => l.Name == "conv5");
        // kaiming normal, fan_out, relu: std = sqrt(2 / (out_channels · 3 · 3)).
        double expected = Math.Sqrt(2.0 / (conv.Units * 9));
        double std = conv.Weight!.std().ReadSingle();
        Assert.InRange(std / expected, 0.95, 1.05);
        Assert.Equal(0, conv.Bias!.abs().max().ReadSingle());
        var bn = layers.Single(l => l.Name == "bn5");
        Assert.Equal(1, bn.Weight!.min().ReadSingle());
        Assert.Equal(0, bn.Bias!.abs().max().ReadSingle());
        var fc = layers.Single(l => l.Name == "fc2");
        Assert.InRange(fc.Weight!.std().ReadSingle(), 0.0095, 0.0105);
    }

    [Theory]
    [InlineData("vgg11", "fc1")]
    [InlineData("vgg11", "fc3")]
    [InlineData("mlp", "fc1")]
    [InlineData("mlp", "out")]
    public void KaimingInitialisationGivesEveryLinearLayerStandardDeviationRootTwoOverFanIn(string name, string layer)
    {
        torch.manual_seed(2);
        var model = ModelZoo.Create(name, [3, 32, 32], 10, new ModelOptions(Width: 0.5, Hidden: 256));
        var fc = model.Architecture.Layers.Single(l => l.Name == layer);
        long fanIn = fc.Weight!.shape[1];
        double expected = Math.Sqrt(2.0 / fanIn);
        // Sample std of ≥ 2,560 normal draws: within 5 % with overwhelming probability.
        Assert.InRange(fc.Weight.std().ReadDouble() / expected, 0.95, 1.05);
        Assert.Equal(0, fc.Bias!.abs().max().ReadDouble());
    }

    [Fact]
    public void MlpReferenceInitialisationIsPyTorchsDefaultLinear()
    {
        torch.manual_seed(2);
        var model = ModelZoo.Create("mlp", [1, 28, 28], 10, new ModelOptions(Hidden: 256, Init: Initialisation.Reference));
        var fc = model.Architecture.Layers.Single(l => l.Name == "fc1");
        // PyTorch's default: U(−1/√fan_in, 1/√fan_in) for weight and bias; its std is 1/√(3·fan_in).
        double bound = 1 / Math.Sqrt(784);
        Assert.InRange(fc.Weight!.abs().max().ReadDouble(), 0.99 * bound, bound);
        Assert.InRange(fc.Weight.std().ReadDouble() / (bound / Math.Sqrt(3)), 0.98, 1.02);
        Assert.True(fc.Bias!.abs().max().ReadDouble() > 0);
    }

    [Fact]
    public void AnUnknownInitialisationIsRejectedByName()
    {
        var e = Assert.Throws<InvalidInputException>(() => ModelZoo.Create("mlp", [1, 4, 4], 3, new ModelOptions(Init: "xavier")));
        Assert.Contains("--init", e.Message);
        Assert.Contains("kaiming or reference", e.Message);
    }

    [Fact]
    public void MlpHasTheRequestedLayersAndNorms()
    {
        var model = ModelZoo.Create("mlp", [1, 28, 28], 10, new ModelOptions(Depth: 2, Hidden: 256, Norm: "layernorm", Activation: "tanh"));
        var kinds = model.Architecture.Layers.Select(l => l.Operation).ToArray();
        Assert.Equal([Operations.Flatten, Operations.Linear, Operations.LayerNorm, Operations.Tanh,
            Operations.Linear, Operations.LayerNorm, Operations.Tanh, Operations.Linear], kinds);
        Assert.Equal(784 * 256 + 256 + 2 * 256 + 256 * 256 + 256 + 2 * 256 + 256 * 10 + 10, model.Architecture.ParameterCount);
    }

    [Fact]
    public void UnknownModelNamesTheChoices()
    {
        var e = Assert.Throws<InvalidInputException>(() => ModelZoo.Create("resnet50", [3, 32, 32], 10));
        Assert.Contains("vgg16-bn", e.Message);
    }

    [Theory]
    [InlineData("vgg11", 0.125)]
    [InlineData("vgg16-bn", 0.0625)]
    [InlineData("vgg19", 0.3)]
    public void ConvolutionChannelsAreKnownBeforeTheModelIsBuilt(string name, double width)
    {
        var predicted = ModelZoo.ConvolutionChannels(name, new ModelOptions(Width: width));
        var built = ModelZoo.Create(name, [3, 32, 32], 10, new ModelOptions(Width: width)).Architecture.Layers
            .Where(l => l.Operation == Operations.Conv2d).Select(l => l.Units).ToList();
        Assert.Equal(built, predicted);
        Assert.Empty(ModelZoo.ConvolutionChannels("mlp"));
    }
}
