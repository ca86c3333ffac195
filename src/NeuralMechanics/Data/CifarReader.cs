namespace NeuralMechanics.Data;

/// <summary>
/// CIFAR binary files. CIFAR-10: <c>data_batch_1..5.bin</c> and <c>test_batch.bin</c>, records of
/// 1 label byte + 3072 pixel bytes. CIFAR-100: <c>train.bin</c> and <c>test.bin</c>, records of a
/// coarse and a fine label byte + 3072 pixel bytes; the fine label (100 classes) is used. Pixels
/// are 1024 red, 1024 green, 1024 blue bytes of a 32x32 image, already channel-major.
/// </summary>
internal static class CifarReader
{
    private const int PixelBytes = 3 * 32 * 32;

    public static DataSplit ReadCifar10(string dir) => new(
        ReadSplit("cifar10/train", Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")), 1, 10),
        ReadSplit("cifar10/test", [Path.Combine(dir, "test_batch.bin")], 1, 10));

    public static DataSplit ReadCifar100(string dir) => new(
        ReadSplit("cifar100/train", [Path.Combine(dir, "train.bin")], 2, 100),
        ReadSplit("cifar100/test", [Path.Combine(dir, "test.bin")], 2, 100));

    /// <summary>Reads records whose label is the last of <paramref name="labelBytes"/> leading bytes.</summary>
    private static ByteImageDataSet ReadSplit(string name, IEnumerable<string> files, int labelBytes, int classes)
    {
        int recordBytes = labelBytes + PixelBytes;
        var contents = files.Select(f => (Path: f, Bytes: DataFiles.Read(f))).ToList();
        foreach (var (path, bytes) in contents)
            if (bytes.Length == 0 || bytes.Length % recordBytes != 0)
                throw InvalidInputException.InFile(path, "length",
                    $"expected a positive multiple of {recordBytes} bytes (records of {labelBytes} label byte(s) + {PixelBytes} pixel bytes), found {bytes.Length}");

        int count = contents.Sum(c => c.Bytes.Length / recordBytes);
        var pixels = new byte[(long)count * PixelBytes];
        var labels = new int[count];
        int example = 0;
        foreach (var (path, bytes) in contents)
        {
            for (int record = 0; record < bytes.Length / recordBytes; record++, example++)
            {
                int offset = record * recordBytes;
                labels[example] = bytes[offset + labelBytes - 1];
                if (labels[example] >= classes)
                    throw InvalidInputException.InFile(path, $"record {record} label", $"expected 0..{classes - 1}, found {labels[example]}");
                bytes.AsSpan(offset + labelBytes, PixelBytes).CopyTo(pixels.AsSpan(example * PixelBytes));
            }
        }
        return new ByteImageDataSet(name, 3, 32, 32, classes, pixels, labels);
    }
}
