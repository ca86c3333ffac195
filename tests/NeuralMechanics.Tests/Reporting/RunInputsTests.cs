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
        var runs = RunInputs.Resolve([sweep, single, single]);
        Assert.Equal(["sweep/a", "sweep/b", "single"], runs.Select(r => r.Name));
        Assert.Equal(Path.Combine(sweep, "a"), runs[0].Root);
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
