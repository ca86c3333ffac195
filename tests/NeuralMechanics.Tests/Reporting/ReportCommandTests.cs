using NeuralMechanics.Cli;
using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-report-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ReportWritesTheReportIntoOutAndExitsZero()
    {
        var run = new SyntheticRun(Model: "mlp", Units: 2, Layers: 1, Steps: 10, Samples: false).Write(Path.Combine(root, "run"));
        var output = Path.Combine(root, "out");
        Assert.Equal(0, NmechApp.Run(["report", run, "--out", output]));
        Assert.True(File.Exists(Path.Combine(output, Reporter.MarkdownFile)));
        Assert.True(File.Exists(Path.Combine(output, Reporter.HtmlFile)));
        Assert.True(File.Exists(Path.Combine(output, Reporter.FiguresFolder, "change-translation.svg")));
        // Only complete files: no temporary file of an atomic write is left behind.
        Assert.Empty(Directory.EnumerateFiles(output, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ReportOfAFolderWithoutRunsExitsWithCode2()
    {
        Assert.Equal(2, NmechApp.Run(["report", root, "--out", Path.Combine(root, "out")]));
        Assert.Equal(2, NmechApp.Run(["report"]));
    }
}
