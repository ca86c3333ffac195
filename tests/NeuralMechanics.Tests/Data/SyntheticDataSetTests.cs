using TorchSharp;
using NeuralMechanics.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Data;

public class SyntheticDataSetTests
{
    private static float[] Image(ImageDataSet set, int index)
    {
        var pixels = new float[set.ImageSize];
        set.ReadImage(index, pixels);
        return pixels;
    }

    [Fact]
    public void DefaultSyntheticIsMnistShapedWithTenBalancedClasses()
    {
        var split = DataSets.Load("synthetic");
        Assert.Equal(("synthetic/train", 1, 28, 28, 10), (split.Train.Name, split.Train.Channels, split.Train.Height, split.Train.Width, split.Train.Classes));
        Assert.Equal(SyntheticDataSet.TrainCount, split.Train.Count);
        Assert.Equal(SyntheticDataSet.TestCount, split.Test.Count);
        Assert.Equal([7, 8, 9, 0, 1], Enumerable.Range(17, 5).Select(split.Train.Label));
    }

    [Fact]
    public void ShapeAndClassesComeFromTheName()
    {
        var split = DataSets.Load("synthetic:3x5x7:4");
        var t = split.Test;
        Assert.Equal(("synthetic:3x5x7:4/test", 3, 5, 7, 4), (t.Name, t.Channels, t.Height, t.Width, t.Classes));
        Assert.All(Image(t, 3), v => Assert.InRange(v, 0f, 1f));
    }

    [Theory]
    [InlineData("synthetic:3x64:200")]
    [InlineData("synthetic:0x8x8:10")]
    [InlineData("synthetic:1x8x8:1")]
    [InlineData("synthetic:1x8x8")]
    public void MalformedSyntheticNameIsRejectedWithTheExpectedForm(string name)
    {
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load(name));
        Assert.Contains(name, e.Message);
        Assert.Contains("synthetic:CxHxW:K", e.Message);
    }

    [Fact]
    public void SameSeedGivesTheSameImagesAndAnotherSeedOthers()
    {
        var a = DataSets.Load("synthetic:2x6x6:3", seed: 5).Train;
        var b = DataSets.Load("synthetic:2x6x6:3", seed: 5).Train;
        var c = DataSets.Load("synthetic:2x6x6:3", seed: 6).Train;
        Assert.Equal(Image(a, 123), Image(b, 123));
        Assert.NotEqual(Image(a, 123), Image(c, 123));
        Assert.NotEqual(Image(a, 123), Image(a, 126)); // same class, fresh noise
    }

    [Fact]
    public void LinearModelLearnsSyntheticClassesFarAboveChance()
    {
        var split = DataSets.Load("synthetic", seed: 1);
        using var scope = NewDisposeScope();
        var (xTrain, yTrain) = Matrix(split.Train.Take(1000));
        var (xTest, yTest) = Matrix(split.Test.Take(1000));
        var w = new Parameter(zeros(784, 10));
        var b = new Parameter(zeros(10));
        var optimizer = optim.SGD([w, b], 0.5);
        for (int step = 0; step < 30; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(xTrain.matmul(w) + b, yTrain).backward();
            optimizer.step();
        }
        double accuracy = (xTest.matmul(w) + b).argmax(1).eq(yTest).to(ScalarType.Float64).mean().ReadDouble();
        Assert.True(accuracy > 0.9, $"test accuracy {accuracy:F3}, chance is 0.1");
    }

    private static (Tensor X, Tensor Y) Matrix(ImageDataSet set)
    {
        var x = new float[set.Count * set.ImageSize];
        for (int i = 0; i < set.Count; i++) set.ReadImage(i, x.AsSpan(i * set.ImageSize, set.ImageSize));
        var y = Enumerable.Range(0, set.Count).Select(i => (long)set.Label(i)).ToArray();
        using Scalar half = 0.5f;
        return (tensor(x, [set.Count, set.ImageSize]) - half, tensor(y));
    }
}
