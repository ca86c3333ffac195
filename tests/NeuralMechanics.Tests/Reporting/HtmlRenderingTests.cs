using System.Diagnostics;
using SkiaSharp;

namespace NeuralMechanics.Tests.Reporting;

[Collection(ReportCollection.Name)]
public sealed class HtmlRenderingTests(ReportFixture report)
{
    [ChromiumFact]
    public void ReportHtmlRendersInHeadlessChromiumWithItsFigures()
    {
        var work = Directory.CreateTempSubdirectory("nm-chromium-").FullName;
        try
        {
            var screenshot = Path.Combine(work, "screenshot.png");
            var start = new ProcessStartInfo(ChromiumFactAttribute.Chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", $"--user-data-dir={Path.Combine(work, "profile")}",
                $"--screenshot={screenshot}", "--window-size=1200,3200", new Uri(report.Summary.HtmlPath).AbsoluteUri,
            })
                start.ArgumentList.Add(arg);
            using var chromium = Process.Start(start)!;
            var stderr = chromium.StandardError.ReadToEndAsync();
            chromium.StandardOutput.ReadToEndAsync();
            if (!chromium.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                chromium.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }
            Assert.True(File.Exists(screenshot), $"no screenshot; chromium exited {chromium.ExitCode}: {stderr.Result}");

            using var bitmap = SKBitmap.Decode(screenshot);
            Assert.Equal((1200, 3200), (bitmap.Width, bitmap.Height));
            // Non-blank: text and table rules darken pixels; the embedded figures bring saturated colour. The page is
            // taken 3,200 px tall so that it reaches past the training section into the mechanics figures.
            int dark = 0, coloured = 0;
            for (var y = 0; y < bitmap.Height; y += 2)
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 300) dark++;
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 80) coloured++;
            }
            var sampled = bitmap.Width * bitmap.Height / 4;
            Assert.True(dark > sampled / 200, $"only {dark} of {sampled} sampled pixels are dark: the page looks blank");
            // The figures' curves are thin lines on white; the only other saturated colour, the heading's rule, gives at most
            // 1200 / 2 = 600 sampled pixels, below this bound.
            Assert.True(coloured > sampled / 1000, $"only {coloured} of {sampled} sampled pixels are coloured: no figure is visible");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
