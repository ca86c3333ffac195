using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Reporting;

public sealed class RunInputsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-inputs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static SyntheticRun Tiny => new(Model: "mlp", Units: 2, Layers: 1, Steps: 4, LogEvery: 2, Samples: false);

    [Fact]
    public void ASweepFolderStandsForEachSubfolderThatHoldsARun()
    {
        var sweep = Path.Combine(root, "sweep");
        Tiny.Write(Path.Combine(sweep, "b"));
        Tiny.Write(Path.Combine(sweep, "a"));
        Directory.CreateDirectory(Path.Combine(sweep, "logs"));
        File.WriteAllText(Path.Combine(sweep, "sweep.json"), "{}");
        var single = Tiny.Write(Path.Combine(root, "single"));
        var (runs, skipped) = RunInputs.Resolve([sweep, single, single]);
        Assert.Equal(["sweep/a", "sweep/b", "single"], runs.Select(r => r.Name));
        Assert.Equal(Path.Combine(sweep, "a"), runs[0].Root);
        Assert.Empty(skipped);
    }

    [Fact]
    public void ASweepsContentsPassedOneByOneGiveItsRunsAndSkipItsOtherFilesWithANote()
    {
        // What the shell makes of `nmech report sweep/*`: the run folders, sweep.json and a logs folder.
        var sweep = Path.Combine(root, "sweep");
        Tiny.Write(Path.Combine(sweep, "lr=0.1"));
        Tiny.Write(Path.Combine(sweep, "lr=0.03"));
        var logs = Directory.CreateDirectory(Path.Combine(sweep, "logs")).FullName;
        var manifest = Path.Combine(sweep, "sweep.json");
        File.WriteAllText(manifest, "{}");
        var (runs, skipped) = RunInputs.Resolve(Directory.EnumerateFileSystemEntries(sweep).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["lr=0.03", "lr=0.1"], runs.Select(r => r.Name));
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, n => n.StartsWith(manifest + ": skipped, a file", StringComparison.Ordinal));
        Assert.Contains(skipped, n => n.StartsWith(logs + ": skipped, neither a run folder", StringComparison.Ordinal));

        var summary = Reporter.Write([.. Directory.EnumerateFileSystemEntries(sweep)], Path.Combine(root, "out"));
        Assert.Equal(skipped.Order(), summary.SkippedInputs.Order());
        Assert.Contains(manifest + ": skipped, a file and not a run folder", File.ReadAllText(summary.MarkdownPath));
    }

    [Fact]
    public void AFolderThatIsNeitherARunNorASweepIsRefusedNamingIt()
    {
        var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        var ex = Assert.Throws<InvalidInputException>(() => Reporter.Write([empty], Path.Combine(root, "out")));
        Assert.Contains(empty, ex.Message);
        Assert.Contains("manifest.json", ex.Message);
    }

    [Fact]
    public void AMissingFolderIsRefusedNamingIt()
    {
        var missing = Path.Combine(root, "missing");
        var ex = Assert.Throws<InvalidInputException>(() => Reporter.Write([missing], Path.Combine(root, "out")));
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void AMalformedManifestIsRefusedNamingTheFile()
    {
        var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        File.WriteAllText(Path.Combine(run, TrajectorySchema.ManifestFile), "{ \"model\": ");
        var ex = Assert.Throws<InvalidInputException>(() => Reporter.Write([run], Path.Combine(root, "out")));
        Assert.Contains(Path.Combine(run, TrajectorySchema.ManifestFile), ex.Message);
        Assert.False(File.Exists(Path.Combine(root, "out", Reporter.MarkdownFile)));
    }
}
