using System.IO.Compression;

namespace NeuralMechanics.Data;

/// <summary>Whole-file reads that turn missing or corrupt files into <see cref="InvalidInputException"/>.</summary>
internal static class DataFiles
{
    /// <summary>Reads <c>dir/fileName</c>, or else its gzip-compressed <c>fileName.gz</c>; returns the path read.</summary>
    public static (string Path, byte[] Bytes) ReadRawOrGz(string dir, string fileName)
    {
        var raw = Path.Combine(dir, fileName);
        if (File.Exists(raw)) return (raw, File.ReadAllBytes(raw));
        var gz = raw + ".gz";
        if (File.Exists(gz)) return (gz, Gunzip(gz));
        throw InvalidInputException.InFile(raw, "file", $"not found (nor {fileName}.gz)");
    }

    /// <summary>Reads a file that must exist.</summary>
    public static byte[] Read(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw InvalidInputException.InFile(path, "file", "not found");

    private static byte[] Gunzip(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gzip.CopyTo(bytes);
            return bytes.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw InvalidInputException.InFile(path, "gzip data", $"expected a gzip stream, decompression failed: {e.Message}");
        }
    }
}
