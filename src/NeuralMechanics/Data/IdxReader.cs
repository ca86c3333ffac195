using System.Buffers.Binary;

namespace NeuralMechanics.Data;

/// <summary>
/// MNIST-format idx files (MNIST, Fashion-MNIST): <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-...</c>, raw or gzip-compressed. Big-endian header:
/// magic 0x00000803 (unsigned bytes, 3 dimensions) then count, rows, columns for images;
/// magic 0x00000801 then count for labels.
/// </summary>
internal static class IdxReader
{
    private const int ImageMagic = 0x803, LabelMagic = 0x801;

    /// <summary>Reads the train and t10k files of <paramref name="dataset"/> from <paramref name="dir"/>.</summary>
    public static DataSplit Read(string dataset, string dir, int classes = 10) =>
        new(ReadSplit(dataset, dir, "train", "train", classes), ReadSplit(dataset, dir, "t10k", "test", classes));

    private static ByteImageDataSet ReadSplit(string dataset, string dir, string prefix, string split, int classes)
    {
        var (imagePath, images) = DataFiles.ReadRawOrGz(dir, $"{prefix}-images-idx3-ubyte");
        var (labelPath, labels) = DataFiles.ReadRawOrGz(dir, $"{prefix}-labels-idx1-ubyte");

        CheckHeader(imagePath, images, ImageMagic, headerBytes: 16);
        int count = ReadCount(imagePath, images, 4, "image count");
        int rows = ReadCount(imagePath, images, 8, "rows");
        int cols = ReadCount(imagePath, images, 12, "columns");
        CheckLength(imagePath, images, 16 + (long)count * rows * cols, $"a 16-byte header and {count} images of {rows}x{cols}");

        CheckHeader(labelPath, labels, LabelMagic, headerBytes: 8);
        int labelCount = ReadCount(labelPath, labels, 4, "label count");
        CheckLength(labelPath, labels, 8 + (long)labelCount, $"an 8-byte header and {labelCount} labels");
        if (labelCount != count)
            throw InvalidInputException.InFile(labelPath, "label count", $"expected {count} labels, one per image of {imagePath}, found {labelCount}");

        var labelValues = new int[count];
        for (int i = 0; i < count; i++)
        {
            labelValues[i] = labels[8 + i];
            if (labelValues[i] >= classes)
                throw InvalidInputException.InFile(labelPath, $"label {i}", $"expected 0..{classes - 1}, found {labelValues[i]}");
        }
        return new ByteImageDataSet($"{dataset}/{split}", 1, rows, cols, classes, images.AsMemory(16), labelValues);
    }

    private static void CheckHeader(string path, byte[] bytes, int magic, int headerBytes)
    {
        CheckLength(path, bytes, headerBytes, $"at least a {headerBytes}-byte header", exact: false);
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw InvalidInputException.InFile(path, "magic number", $"expected 0x{magic:X8}, found 0x{found:X8}");
    }

    private static int ReadCount(string path, byte[] bytes, int offset, string field)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
        return value > 0 ? value : throw InvalidInputException.InFile(path, field, $"expected a positive number, found {value}");
    }

    private static void CheckLength(string path, byte[] bytes, long expected, string what, bool exact = true)
    {
        if (bytes.Length < expected)
            throw InvalidInputException.InFile(path, "length", $"truncated: expected {expected} bytes ({what}), found {bytes.Length}");
        if (exact && bytes.Length > expected)
            throw InvalidInputException.InFile(path, "length", $"expected {expected} bytes ({what}), found {bytes.Length}");
    }
}
