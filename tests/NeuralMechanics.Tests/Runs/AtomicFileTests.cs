using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("nm-atomic-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void WriteReplacesTheFileAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(folder, "status.json");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second, longer");
        Assert.Equal("second, longer", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void FailedWriteKeepsTheOldFileAndRemovesItsTemporaryFile()
    {
        var path = Path.Combine(folder, "checkpoint.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9]);
            throw new IOException("disk full");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void TemporaryNamesAreDotFilesEndingInTmp()
    {
        Assert.True(AtomicFile.IsTemporary("/run/metrics/.part-00003.parquet.0123abcd.tmp"));
        Assert.False(AtomicFile.IsTemporary("/run/metrics/part-00003.parquet"));
        Assert.False(AtomicFile.IsTemporary("/run/metrics/part-00003.parquet.tmp"));
    }
}
