using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public sealed class SkippedFigureTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-skip-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void FiguresTheRunsHaveNoDataForAreSkippedWithTheReasonInTheReport()
    {
        // An MLP trained with plain SGD: no BatchNorm (no scale), no momentum, no samples/.
        var run = new SyntheticRun(Model: "mlp", Units: 4, Layers: 2, Steps: 20, Samples: false).Write(Path.Combine(root, "mlp"));
        var summary = Reporter.Write([run], Path.Combine(root, "out"));
        var skipped = summary.Figures.Where(f => !f.IsWritten).ToDictionary(f => f.Id, f => f.SkipReason!);
        Assert.Equal("no run uses momentum (β > 0)", skipped["oscillator-translation"]);
        Assert.Equal("no run uses momentum (β > 0)", skipped["oscillator-scale"]);
        Assert.Contains("no SGD run has scale rows in layers/", skipped["scale"]);
        Assert.Contains("angular_speed", skipped["angular-speed"]);
        Assert.Contains("mlp: no samples/ table", skipped["parameters"]);
        Assert.Equal(["training", "change-translation", "change-rescale", "errors", "rescale", "neurons-translation-mlp", "neurons-rescale-mlp"],
            summary.Figures.Where(f => f.IsWritten).Select(f => f.Id));
        Assert.Contains("no run has scale rows in layers/", skipped["change-scale"]);

        var md = File.ReadAllText(summary.MarkdownPath);
        Assert.Contains("- Momentum, scale: layer squared norms (Fig. 12): skipped — no run uses momentum (β > 0).", md);
        // Table 5 is about VGG-16 only.
        Assert.DoesNotContain("Table 5", md);
        Assert.DoesNotContain("Table 5", File.ReadAllText(summary.HtmlPath));
    }

    [Fact]
    public void MomentumRunsAloneGetTheOscillatorFiguresAndNoSgdFigures()
    {
        var a = new SyntheticRun(Momentum: 0.9, Units: 4, Layers: 2, Steps: 20, Samples: false).Write(Path.Combine(root, "a"));
        var b = new SyntheticRun(Momentum: 0.99, Units: 4, Layers: 2, Steps: 20, Samples: false).Write(Path.Combine(root, "b"));
        var summary = Reporter.Write([a, b], Path.Combine(root, "out"));
        var figures = summary.Figures.ToDictionary(f => f.Id);
        Assert.All(new[] { "oscillator-translation", "oscillator-scale", "oscillator-rescale" }, id => Assert.True(figures[id].IsWritten));
        Assert.Equal("every run uses momentum (see the oscillator figures)", figures["translation"].SkipReason);
    }
}
