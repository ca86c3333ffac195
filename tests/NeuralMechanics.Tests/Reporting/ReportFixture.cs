using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>
/// One report over synthetic runs, written once and shared by the tests that read it: a sweep of
/// three VGG-16-BN SGD runs (λ = 0, 10⁻⁴, 5×10⁻⁴), a sweep of two momentum runs (β = 0.9, 0.99 at
/// λ = 5×10⁻⁴) and one VGG-16 run without BatchNorm given directly.
/// </summary>
public sealed class ReportFixture : IDisposable
{
    public ReportFixture()
    {
        Root = Directory.CreateTempSubdirectory("nm-report-").FullName;
        var sweep = Path.Combine(Root, "sweep");
        foreach (var (name, wd) in new[] { ("wd0", 0.0), ("wd1e-4", 1e-4), ("wd5e-4", 5e-4) })
            new SyntheticRun(WeightDecay: wd).Write(Path.Combine(sweep, name));
        var momentum = Path.Combine(Root, "momentum");
        new SyntheticRun(Momentum: 0.9).Write(Path.Combine(momentum, "beta0.9"));
        new SyntheticRun(Momentum: 0.99, Samples: false).Write(Path.Combine(momentum, "beta0.99"));
        var plain = new SyntheticRun(Model: "vgg16").Write(Path.Combine(Root, "plain"));
        OutDir = Path.Combine(Root, "out");
        Summary = Reporter.Write([sweep, momentum, plain], OutDir);
    }

    public string Root { get; }
    public string OutDir { get; }
    public ReportSummary Summary { get; }
    public string Markdown => File.ReadAllText(Summary.MarkdownPath);
    public string Html => File.ReadAllText(Summary.HtmlPath);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>The tests that read the shared synthetic report (built once for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class ReportCollection : ICollectionFixture<ReportFixture>
{
    public const string Name = "synthetic report";
}
