using System.Buffers.Binary;
using System.IO.Compression;
using NeuralMechanics.Data;

namespace NeuralMechanics.Tests.Data;

public class DataSetsTests
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void NamesListEveryDataset()
    {
        Assert.Equal(["fashion-mnist", "mnist", "cifar10", "cifar100", "tiny-imagenet", "synthetic"], DataSets.Names);
    }

    [Fact]
    public void UnknownDatasetNameListsTheKnownOnes()
    {
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("imagenet-21k"));
        Assert.Contains("'imagenet-21k'", e.Message);
        Assert.Contains("fashion-mnist, mnist, cifar10", e.Message);
    }

    [Fact]
    public void MissingFashionMnistDirectoryNamesTheDatasetTheDirectoryAndTheAptPackage()
    {
        using var root = new TempDirectory();
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("fashion-mnist", root.Path));
        Assert.Contains("fashion-mnist", e.Message);
        Assert.Contains(Path.Combine(root.Path, "fashion-mnist"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void DiscoverFindsDatasetsUnderARootIncludingUnpackedArchiveFolders()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("mnist"));
        File.WriteAllBytes(Path.Combine(root.File("mnist"), "train-images-idx3-ubyte.gz"), []);
        var cifar = Directory.CreateDirectory(Path.Combine(root.Path, "cifar10", "cifar-10-batches-bin")).FullName;
        File.WriteAllBytes(Path.Combine(cifar, "data_batch_1.bin"), []);

        var found = DataSets.Discover(root.Path).ToDictionary(d => d.Name, d => (d.Directory, d.Found));
        Assert.Equal(DataSets.Names, found.Keys);
        Assert.Equal((root.File("mnist"), true), found["mnist"]);
        Assert.Equal((cifar, true), found["cifar10"]);
        Assert.Equal((root.File("cifar100"), false), found["cifar100"]);
        Assert.Equal((root.File("fashion-mnist"), false), found["fashion-mnist"]);
        Assert.True(found["synthetic"].Found);
    }

    [Fact]
    public void DiscoverLooksUnderUsrShareDatasetsByDefault()
    {
        var fashion = DataSets.Discover().Single(d => d.Name == "fashion-mnist");
        Assert.Equal((FashionMnist, File.Exists(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz"))), (fashion.Directory, fashion.Found));
    }

    [Fact]
    public void TakeKeepsTheFirstExamples()
    {
        var train = DataSets.Load("synthetic:1x2x2:3").Train;
        var head = train.Take(5);
        Assert.Equal((5, "synthetic:1x2x2:3/train[:5]"), (head.Count, head.Name));
        var (a, b) = (new float[4], new float[4]);
        head.ReadImage(4, a);
        train.ReadImage(4, b);
        Assert.Equal(b, a);
        Assert.Equal(train.Label(4), head.Label(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Label(5));
        Assert.Same(train, train.Take(train.Count + 1));
    }

    /// <summary>Runs where the Debian package is installed (here and in CI); elsewhere there is nothing to read.</summary>
    [Fact]
    public void InstalledFashionMnistHas60000And10000ImagesOf28x28In10Classes()
    {
        if (!Directory.Exists(FashionMnist)) return;
        var split = DataSets.Load("fashion-mnist");
        Assert.Equal((60000, 10000), (split.Train.Count, split.Test.Count));
        Assert.Equal((1, 28, 28, 10), (split.Train.Channels, split.Train.Height, split.Train.Width, split.Train.Classes));

        // Independently: the first label is byte 8 of the label file, the first image bytes 16..800 of the image file.
        var labels = GunzipStart(Path.Combine(FashionMnist, "train-labels-idx1-ubyte.gz"), 9);
        var images = GunzipStart(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz"), 800);
        Assert.Equal(60000, BinaryPrimitives.ReadInt32BigEndian(labels.AsSpan(4)));
        Assert.Equal(labels[8], split.Train.Label(0));
        var pixels = new float[784];
        split.Train.ReadImage(0, pixels);
        Assert.Equal(images[16..800].Select(b => b / 255f), pixels);
    }

    private static byte[] GunzipStart(string path, int count)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var bytes = new byte[count];
        gzip.ReadExactly(bytes);
        return bytes;
    }
}
