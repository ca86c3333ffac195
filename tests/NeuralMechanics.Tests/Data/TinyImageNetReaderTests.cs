using NeuralMechanics.Data;
using SkiaSharp;
using static NeuralMechanics.Tests.Data.FormatWriters;

namespace NeuralMechanics.Tests.Data;

public class TinyImageNetReaderTests
{
    private const int Size = 8;

    /// <summary>Colour of pixel (x, y) of image number <paramref name="n"/>: a gradient per image.</summary>
    private static SKColor Color(int n, int x, int y) => new((byte)(20 * x + 10 * n), (byte)(25 * y), (byte)(200 - 20 * n));

    /// <summary>
    /// wnids.txt lists n02 before n01 (classes follow ordinal order: n01 = 0, n02 = 1); two training
    /// images per class, three validation images. Returns the JPEG paths in the order the reader
    /// must produce them, with their labels and colour seeds.
    /// </summary>
    private static (List<(string Path, int Label, int N)> Train, List<(string Path, int Label, int N)> Val) WriteTree(string dir)
    {
        File.WriteAllLines(Path.Combine(dir, "wnids.txt"), ["n02", "n01"]);
        var train = new List<(string, int, int)>();
        int n = 0;
        foreach (var (wnid, label) in new[] { ("n01", 0), ("n02", 1) })
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir, "train", wnid, "images")).FullName;
            for (int i = 0; i < 2; i++, n++)
            {
                var path = Path.Combine(folder, $"{wnid}_{i}.JPEG");
                File.WriteAllBytes(path, Jpeg(Size, (x, y) => Color(n, x, y)));
                train.Add((path, label, n));
            }
        }
        var images = Directory.CreateDirectory(Path.Combine(dir, "val", "images")).FullName;
        var val = new List<(string, int, int)>();
        var annotations = new List<string>();
        foreach (var (file, wnid, label) in new[] { ("val_0.JPEG", "n02", 1), ("val_1.JPEG", "n01", 0), ("val_2.JPEG", "n02", 1) })
        {
            var path = Path.Combine(images, file);
            File.WriteAllBytes(path, Jpeg(Size, (x, y) => Color(n, x, y)));
            val.Add((path, label, n++));
            annotations.Add($"{file}\t{wnid}\t0\t0\t{Size - 1}\t{Size - 1}");
        }
        File.WriteAllLines(Path.Combine(dir, "val", "val_annotations.txt"), annotations);
        return (train, val);
    }

    private static void AssertDecodedLike(ImageDataSet set, List<(string Path, int Label, int N)> expected)
    {
        Assert.Equal((expected.Count, 3, Size, Size, 2), (set.Count, set.Channels, set.Height, set.Width, set.Classes));
        var pixels = new float[3 * Size * Size];
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Label, set.Label(i));
            set.ReadImage(i, pixels);
            using var bitmap = SKBitmap.Decode(expected[i].Path);
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    var decoded = bitmap.GetPixel(x, y);
                    var original = Color(expected[i].N, x, y);
                    int p = y * Size + x;
                    Assert.Equal((decoded.Red / 255f, decoded.Green / 255f, decoded.Blue / 255f),
                        (pixels[p], pixels[Size * Size + p], pixels[2 * Size * Size + p]));
                    // JPEG (quality 100, subsampled chroma) stays within a few levels of what was encoded.
                    Assert.InRange(Math.Abs(decoded.Red - original.Red), 0, 16);
                    Assert.InRange(Math.Abs(decoded.Green - original.Green), 0, 16);
                    Assert.InRange(Math.Abs(decoded.Blue - original.Blue), 0, 16);
                }
        }
    }

    [Fact]
    public void TinyImageNetTreeDecodesToTheJpegPixelsWithClassesInWnidOrder()
    {
        using var dir = new TempDirectory();
        var (train, val) = WriteTree(dir.Path);
        var split = DataSets.Load("tiny-imagenet", dir.Path);
        Assert.Equal(("tiny-imagenet/train", "tiny-imagenet/test"), (split.Train.Name, split.Test.Name));
        AssertDecodedLike(split.Train, train);
        AssertDecodedLike(split.Test, val);
    }

    [Fact]
    public void MissingWnidsFileIsNamed()
    {
        using var dir = new TempDirectory();
        WriteTree(dir.Path);
        File.Delete(dir.File("wnids.txt"));
        // DataSets.Load would not take a folder without wnids.txt for Tiny ImageNet; read it directly.
        var e = Assert.Throws<InvalidInputException>(() => TinyImageNetReader.Read(dir.Path));
        Assert.Contains(dir.File("wnids.txt"), e.Message);
    }

    [Fact]
    public void MissingValAnnotationsFileIsNamed()
    {
        using var dir = new TempDirectory();
        WriteTree(dir.Path);
        var path = Path.Combine(dir.Path, "val", "val_annotations.txt");
        File.Delete(path);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("tiny-imagenet", dir.Path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AnnotationNamingAnUnknownWnidNamesTheFileLineAndWnid()
    {
        using var dir = new TempDirectory();
        WriteTree(dir.Path);
        var path = Path.Combine(dir.Path, "val", "val_annotations.txt");
        File.AppendAllLines(path, ["val_3.JPEG\tn99\t0\t0\t7\t7"]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("tiny-imagenet", dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("'n99'", e.Message);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void JpegThatDoesNotDecodeIsNamed(string damage)
    {
        using var dir = new TempDirectory();
        var (train, _) = WriteTree(dir.Path);
        var path = train[3].Path;
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage == "garbage" ? Bytes(bytes.Length, 9) : bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidInputException>(() => DataSets.Load("tiny-imagenet", dir.Path));
        Assert.Contains(path, e.Message);
    }
}
