using NeuralMechanics.Data;
using static NeuralMechanics.Tests.Data.FormatWriters;

namespace NeuralMechanics.Tests.Data;

public class IdxReaderTests
{
    private const int Rows = 4, Cols = 5;
    private static readonly byte[][] TrainImages = [Bytes(20, 1), Bytes(20, 2), Bytes(20, 3)];
    private static readonly byte[] TrainLabels = [7, 0, 9];
    private static readonly byte[][] TestImages = [Bytes(20, 4), Bytes(20, 5)];
    private static readonly byte[] TestLabels = [3, 5];

    /// <summary>Writes the four MNIST files, raw or gzipped, and returns their paths by short name.</summary>
    private static Dictionary<string, string> WriteMnist(string dir, bool gz)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = IdxImages(TrainImages, Rows, Cols),
            ["train-labels-idx1-ubyte"] = IdxLabels(TrainLabels),
            ["t10k-images-idx3-ubyte"] = IdxImages(TestImages, Rows, Cols),
            ["t10k-labels-idx1-ubyte"] = IdxLabels(TestLabels),
        };
        var paths = new Dictionary<string, string>();
        foreach (var (name, bytes) in files)
        {
            var path = Path.Combine(dir, gz ? name + ".gz" : name);
            File.WriteAllBytes(path, gz ? Gzip(bytes) : bytes);
            paths[name] = path;
        }
        return paths;
    }

    private static void AssertSplitMatches(ImageDataSet set, byte[][] images, byte[] labels, string name)
    {
        Assert.Equal(name, set.Name);
        Assert.Equal((images.Length, 1, Rows, Cols, 10), (set.Count, set.Channels, set.Height, set.Width, set.Classes));
        var pixels = new float[Rows * Cols];
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal(labels[i], set.Label(i));
            set.ReadImage(i, pixels);
            Assert.Equal(images[i].Select(b => b / 255f), pixels);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RawAndGzippedIdxFilesReadBackExactPixelsAndLabels(bool gz)
    {
        using var dir = new TempDirectory();
        WriteMnist(dir.Path, gz);
        var split = DataSets.Load("mnist", dir.Path);
        AssertSplitMatches(split.Train, TrainImages, TrainLabels, "mnist/train");
        AssertSplitMatches(split.Test, TestImages, TestLabels, "mnist/test");
    }

    [Fact]
    public void WrongMagicNumberNamesTheFileAndTheExpectedMagic()
    {
        using var dir = new TempDirectory();
        var paths = WriteMnist(dir.Path, gz: false);
        var path = paths["train-images-idx3-ubyte"];
        var bytes = File.ReadAllBytes(path);
        bytes[3] = 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImageFileNamesTheFileAndTheExpectedLength(bool gz)
    {
        using var dir = new TempDirectory();
        WriteMnist(dir.Path, gz);
        var raw = IdxImages(TestImages, Rows, Cols);
        var path = dir.File(gz ? "t10k-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte");
        File.WriteAllBytes(path, gz ? Gzip(raw[..^1]) : raw[..^1]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"expected {raw.Length} bytes", e.Message);
    }

    [Fact]
    public void GzipStreamCutShortNamesTheFile()
    {
        using var dir = new TempDirectory();
        var paths = WriteMnist(dir.Path, gz: true);
        var path = paths["train-images-idx3-ubyte"];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ImageAndLabelCountsThatDisagreeNameBothFiles()
    {
        using var dir = new TempDirectory();
        var paths = WriteMnist(dir.Path, gz: false);
        File.WriteAllBytes(paths["train-labels-idx1-ubyte"], IdxLabels([1, 2]));
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(paths["train-labels-idx1-ubyte"], e.Message);
        Assert.Contains(paths["train-images-idx3-ubyte"], e.Message);
        Assert.Contains("expected 3 labels", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheFileAndTheLabel()
    {
        using var dir = new TempDirectory();
        var paths = WriteMnist(dir.Path, gz: false);
        File.WriteAllBytes(paths["t10k-labels-idx1-ubyte"], IdxLabels([3, 10]));
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(paths["t10k-labels-idx1-ubyte"], e.Message);
        Assert.Contains("label 1", e.Message);
        Assert.Contains("found 10", e.Message);
    }

    [Fact]
    public void MissingLabelFileIsNamed()
    {
        using var dir = new TempDirectory();
        var paths = WriteMnist(dir.Path, gz: false);
        File.Delete(paths["t10k-labels-idx1-ubyte"]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("mnist", dir.Path));
        Assert.Contains(paths["t10k-labels-idx1-ubyte"], e.Message);
    }
}
