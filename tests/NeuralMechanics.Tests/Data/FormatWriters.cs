using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace NeuralMechanics.Tests.Data;

/// <summary>Writes small files in the real on-disk formats, from the format specifications.</summary>
internal static class FormatWriters
{
    /// <summary>idx3 image file: magic 0x803, count, rows, cols (big-endian), then the bytes.</summary>
    public static byte[] IdxImages(byte[][] images, int rows, int cols)
    {
        var bytes = new byte[16 + images.Length * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), images.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 0; i < images.Length; i++) images[i].CopyTo(bytes, 16 + i * rows * cols);
        return bytes;
    }

    /// <summary>idx1 label file: magic 0x801, count (big-endian), then one byte per label.</summary>
    public static byte[] IdxLabels(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(raw);
        return output.ToArray();
    }

    /// <summary>CIFAR records: the label bytes, then 3072 pixel bytes (R plane, G plane, B plane).</summary>
    public static byte[] CifarRecords(IEnumerable<(byte[] Labels, byte[] Pixels)> records) =>
        [.. records.SelectMany(r => r.Labels.Concat(r.Pixels))];

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A JPEG (quality 100) of a size x size image with pixel (x, y) = color(x, y).</summary>
    public static byte[] Jpeg(int size, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, color(x, y));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 100);
        return data.ToArray();
    }
}
