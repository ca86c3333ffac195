using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Examples;

/// <summary>examples/CustomResNet, a residual network written as an ordinary module, runs through the library's whole path.</summary>
public sealed class CustomResNetExampleTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-example-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ExampleFindsVerifiesTrainsAndReportsItsSymmetries()
    {
        var run = Path.Combine(root, "run");

        Assert.Equal(0, CustomResNet.Example.Run(["--steps", "30", "--out", run]));

        var manifest = RunDirectory.Open(run).Manifest;
        Assert.Equal("small-resnet", manifest.Model);
        // Derived by hand for 16 channels on 1×28×28 (docs/design.md, "The rules"): a scale group per
        // channel of the stem's and the four block convolutions (5 × 16); rescale: each block's
        // bn1 → conv2 (2 × 16) and the one residual stream (16); translation: the head's
        // 16·7·7 input columns and its bias.
        Assert.Equal(new Dictionary<string, int> { ["translation"] = 785, ["scale"] = 80, ["rescale"] = 48 }, manifest.SymmetryCounts);
        Assert.Equal(30, manifest.Steps);
        Assert.Equal(RunState.Finished, RunDirectory.Open(run).ReadStatus()!.State);
        Assert.True(File.Exists(Path.Combine(run, "report", "report.html")));
    }
}
