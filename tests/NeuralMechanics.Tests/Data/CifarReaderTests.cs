using NeuralMechanics.Data;
using static NeuralMechanics.Tests.Data.FormatWriters;

namespace NeuralMechanics.Tests.Data;

public class CifarReaderTests
{
    private const int PixelBytes = 3072;

    /// <summary>CIFAR-10: two records per training batch file, three in the test file; label of record r of file f is (f + r) mod 10.</summary>
    private static (byte Label, byte[] Pixels)[][] WriteCifar10(string dir)
    {
        var files = new (byte, byte[])[6][];
        for (int f = 0; f < 6; f++)
        {
            int records = f < 5 ? 2 : 3;
            files[f] = [.. Enumerable.Range(0, records).Select(r => ((byte)((f + r) % 10), Bytes(PixelBytes, 10 * f + r)))];
            var name = f < 5 ? $"data_batch_{f + 1}.bin" : "test_batch.bin";
            File.WriteAllBytes(Path.Combine(dir, name), CifarRecords(files[f].Select(x => (new[] { x.Item1 }, x.Item2))));
        }
        return files;
    }

    [Fact]
    public void Cifar10BinaryReadsBackEveryRecordInFileOrderChannelMajor()
    {
        using var dir = new TempDirectory();
        var files = WriteCifar10(dir.Path);
        var split = DataSets.Load("cifar10", dir.Path);

        Assert.Equal((10, 3, 32, 32, 10), (split.Train.Count, split.Train.Channels, split.Train.Height, split.Train.Width, split.Train.Classes));
        Assert.Equal(3, split.Test.Count);
        var expectedTrain = files[..5].SelectMany(f => f).ToArray();
        var pixels = new float[PixelBytes];
        for (int i = 0; i < expectedTrain.Length; i++)
        {
            Assert.Equal(expectedTrain[i].Label, split.Train.Label(i));
            split.Train.ReadImage(i, pixels);
            Assert.Equal(expectedTrain[i].Pixels.Select(b => b / 255f), pixels);
        }
        split.Test.ReadImage(2, pixels);
        Assert.Equal(files[5][2].Label, split.Test.Label(2));
        // Channel-major: the record's byte 1024 + 32·y + x is green at (x, y).
        Assert.Equal(files[5][2].Pixels[1024 + 32 * 5 + 7] / 255f, pixels[1 * 1024 + 5 * 32 + 7]);
    }

    [Fact]
    public void Cifar100BinaryUsesTheFineLabel()
    {
        using var dir = new TempDirectory();
        var train = Enumerable.Range(0, 4).Select(r => (Coarse: (byte)(r % 20), Fine: (byte)(99 - r), Pixels: Bytes(PixelBytes, r))).ToArray();
        var test = new[] { (Coarse: (byte)19, Fine: (byte)42, Pixels: Bytes(PixelBytes, 77)) };
        File.WriteAllBytes(dir.File("train.bin"), CifarRecords(train.Select(r => (new[] { r.Coarse, r.Fine }, r.Pixels))));
        File.WriteAllBytes(dir.File("test.bin"), CifarRecords(test.Select(r => (new[] { r.Coarse, r.Fine }, r.Pixels))));

        var split = DataSets.Load("cifar100", dir.Path);
        Assert.Equal((4, 1, 100), (split.Train.Count, split.Test.Count, split.Train.Classes));
        var pixels = new float[PixelBytes];
        for (int i = 0; i < train.Length; i++)
        {
            Assert.Equal(train[i].Fine, split.Train.Label(i));
            split.Train.ReadImage(i, pixels);
            Assert.Equal(train[i].Pixels.Select(b => b / 255f), pixels);
        }
        Assert.Equal(42, split.Test.Label(0));
    }

    [Fact]
    public void TruncatedCifarFileNamesTheFileAndTheRecordSize()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir.Path);
        var path = dir.File("data_batch_3.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("cifar10", dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("multiple of 3073 bytes", e.Message);
    }

    [Fact]
    public void CifarLabelOutOfRangeNamesTheFileAndTheRecord()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("train.bin"), CifarRecords([([0, 5], Bytes(PixelBytes, 1)), ([0, 100], Bytes(PixelBytes, 2))]));
        File.WriteAllBytes(dir.File("test.bin"), CifarRecords([([0, 5], Bytes(PixelBytes, 3))]));
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("cifar100", dir.Path));
        Assert.Contains(dir.File("train.bin"), e.Message);
        Assert.Contains("record 1 label", e.Message);
        Assert.Contains("expected 0..99, found 100", e.Message);
    }

    [Fact]
    public void MissingCifarBatchFileIsNamed()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir.Path);
        File.Delete(dir.File("data_batch_4.bin"));
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("cifar10", dir.Path));
        Assert.Contains(dir.File("data_batch_4.bin"), e.Message);
    }
}
