using NeuralMechanics.Data;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Data;

public class TensorDataSetTests
{
    [Fact]
    public void ImagesAndLabelsAreReadBackAsGiven()
    {
        using TorchSharp.Scalar count = 24;
        using var images = arange(count, dtype: ScalarType.Float64).reshape(2, 3, 2, 2);
        using var labels = tensor(new long[] { 4, 1 });
        var set = new TensorDataSet("mine", images, labels, 5);
        Assert.Equal(("mine", 2, 3, 2, 2, 5, 12), (set.Name, set.Count, set.Channels, set.Height, set.Width, set.Classes, set.ImageSize));
        var pixels = new float[12];
        set.ReadImage(1, pixels);
        Assert.Equal(Enumerable.Range(12, 12).Select(i => (float)i), pixels);
        Assert.Equal([4, 1], new[] { set.Label(0), set.Label(1) });
    }

    [Fact]
    public void FeatureVectorsAreReadAsOneByOneImages()
    {
        using var features = ones(3, 7);
        using var labels = zeros(3, dtype: ScalarType.Int64);
        var set = new TensorDataSet("vectors", features, labels, 2);
        Assert.Equal((7, 1, 1), (set.Channels, set.Height, set.Width));
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4 }, 2, 5, "mine: images: expected a tensor [N, C, H, W] or [N, D], found [2, 3, 4]")]
    [InlineData(new long[] { 2, 4 }, 3, 5, "mine: labels: expected a tensor [2] (one per image), found [3]")]
    [InlineData(new long[] { 2, 4 }, 2, 0, "mine: classes: expected ≥ 1, found 0")]
    [InlineData(new long[] { 2, 4 }, 2, 1, "mine: labels[0]: expected a class in [0, 1), found 1")]
    public void DataThatDoNotFitTogetherAreRefusedNamingTheField(long[] imageShape, long labelCount, int classes, string message)
    {
        using var images = zeros(imageShape);
        using var labels = ones(labelCount, dtype: ScalarType.Int64);
        var e = Assert.Throws<InvalidInputException>(() => new TensorDataSet("mine", images, labels, classes));
        Assert.Equal(message, e.Message);
    }
}
