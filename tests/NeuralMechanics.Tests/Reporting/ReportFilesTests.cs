using System.Buffers.Binary;
using System.Xml.Linq;

namespace NeuralMechanics.Tests.Reporting;

[Collection(ReportCollection.Name)]
public sealed class ReportFilesTests(ReportFixture report)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void EveryPaperFigureWithDataIsDrawnOnce()
    {
        var written = report.Summary.Figures.Where(f => f.IsWritten).Select(f => f.Id).ToList();
        Assert.Equal(written.Distinct().Count(), written.Count);
        string[] expected =
        [
            "training", "change-translation", "change-scale", "change-rescale", "errors", "errors-overlay",
            "scale", "angular-speed", "rescale", "oscillator-translation", "oscillator-rescale",
            "parameters-sweep-wd0", "parameters-momentum-beta0.9", "parameters-plain",
            "neurons-translation-plain", "neurons-scale-sweep-wd5e-4", "neurons-scale-momentum-beta0.99", "neurons-rescale-plain",
        ];
        Assert.All(expected, id => Assert.Contains(id, written));
        // The column sums decay by at most 1 % over the synthetic runs and the momentum runs' scale swing is small on
        // their log axis: those absolute figures would be flat lines, so they give way to the change figures.
        Assert.All(new[] { "translation", "oscillator-scale" }, id =>
            Assert.StartsWith("every curve changes by less than 5 %", report.Summary.Figures.Single(f => f.Id == id).SkipReason));
        // The VGG-16 run without BatchNorm has no scale groups, the β = 0.99 run no samples/: both are named as skipped.
        Assert.DoesNotContain("neurons-scale-plain", written);
        Assert.DoesNotContain("parameters-momentum-beta0.99", written);
        var skipped = report.Summary.Figures.Where(f => !f.IsWritten).ToList();
        Assert.Contains(skipped, f => f.Id == "neurons-scale" && f.SkipReason!.Contains("plain"));
        Assert.Contains(skipped, f => f.Id == "parameters" && f.SkipReason!.Contains("momentum/beta0.99"));
    }

    [Fact]
    public void EveryFigureIsAValidPngAndSvgOfTheGridSize()
    {
        var figures = report.Summary.Figures.Where(f => f.IsWritten).ToList();
        Assert.Equal(2 * figures.Count, report.Summary.FigureFiles.Count);
        foreach (var figure in figures)
        {
            var png = File.ReadAllBytes(figure.PngPath!);
            Assert.Equal(PngSignature, png[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

            var svg = XDocument.Load(figure.SvgPath!).Root!;
            Assert.Equal("svg", svg.Name.LocalName);
            Assert.Equal(width, int.Parse(svg.Attribute("width")!.Value));
            Assert.Equal(height, int.Parse(svg.Attribute("height")!.Value));
            // Nested panels keep their own clip paths: ids stay unique across the figure.
            var ids = svg.Descendants().Select(e => e.Attribute("id")?.Value).OfType<string>().ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.True(svg.Descendants().Count(e => e.Name.LocalName == "path") > 10, figure.SvgPath);
        }
        // The SGD figures have one panel per run (4 SGD runs, 2 columns of 640×430).
        var scale = figures.Single(f => f.Id == "scale");
        var scalePng = File.ReadAllBytes(scale.PngPath!);
        Assert.Equal((2 * 640, 2 * 430), (BinaryPrimitives.ReadInt32BigEndian(scalePng.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(scalePng.AsSpan(20))));
    }

    [Fact]
    public void HtmlIsSelfContainedWithEveryFigureEmbeddedAsBase64Png()
    {
        var html = report.Html;
        var written = report.Summary.Figures.Count(f => f.IsWritten);
        const string prefix = "data:image/png;base64,";
        var starts = AllIndexes(html, prefix).ToList();
        Assert.Equal(written, starts.Count);
        foreach (var start in starts)
        {
            var from = start + prefix.Length;
            var bytes = Convert.FromBase64String(html[from..html.IndexOf('"', from)]);
            Assert.Equal(PngSignature, bytes[..8]);
        }
        Assert.DoesNotContain("src=\"figures/", html);
        Assert.DoesNotContain("<link", html);
    }

    [Fact]
    public void MarkdownLinksEveryFigureAndListsSkippedOnesWithTheirReason()
    {
        var md = report.Markdown;
        foreach (var figure in report.Summary.Figures)
        {
            if (figure.IsWritten)
            {
                Assert.Contains($"(figures/{Path.GetFileName(figure.PngPath)})", md);
                Assert.True(File.Exists(Path.Combine(report.OutDir, "figures", Path.GetFileName(figure.SvgPath)!)));
            }
            else
            {
                Assert.Contains(figure.SkipReason!, md);
            }
        }
    }

    [Fact]
    public void SettingsComeFromTheManifests()
    {
        var md = report.Markdown;
        // The optimizer column names the rule and its own hyperparameters (SGD without momentum has none beyond η and λ).
        Assert.Contains("| sweep/wd1e-4 | vgg16-bn | tiny-imagenet | SGD | 0.1 | 10⁻⁴ | 256 | 200 | finished |", md);
        Assert.Contains("| momentum/beta0.99 | vgg16-bn | tiny-imagenet | SGD with momentum (β = 0.99, α = 0) | 0.1 | 5×10⁻⁴ |", md);
        Assert.Contains("| plain | cross-entropy | no | 5 | 1 | cpu | 18,067,464 |", md);
    }

    [Fact]
    public void Table5IsComparedWithAReasonForEachDifference()
    {
        var md = report.Markdown;
        Assert.Contains("| rescale | 6,272 | 8,323 | we count one rescale group per channel of every conv layer and per unit of fc1 and fc2", md);
        Assert.Contains("| scale | 4,224 | 4,227 | we count one scale group per output channel", md);
        Assert.Contains("| scale | 0 | 0 | same |", md);
        Assert.Contains("| translation | 1,025 | 201 | we count one translation group per input column of the final layer plus one for its bias (1,024 + 1 = 1,025); the paper counts its 200 classes + 1 |", md);
        Assert.Contains("| translation | 5,249 | 201 |", md);
        Assert.Contains("one group per conv bias entry feeding BatchNorm (4,224)", md);
        Assert.Contains("| parameters | 18,075,912 | 18,075,912 | same |", md);
    }

    private static IEnumerable<int> AllIndexes(string text, string value)
    {
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
            yield return i;
    }
}
