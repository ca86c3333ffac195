using NeuralMechanics.Cli;

namespace NeuralMechanics.Tests.Toys;

/// <summary><c>nmech toy</c> writes its PNG and SVG files and rejects bad options.</summary>
public class ToyCommandTests
{
    [Fact]
    public void ToyAllWritesAPngAndAnSvgPerFigure()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nmech-toy-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, NmechApp.Run(["toy", "all", "--out", dir]));
            foreach (var name in new[] { "fig2", "fig3", "fig4", "fig7" })
            {
                var png = File.ReadAllBytes(Path.Combine(dir, name + ".png"));
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
                Assert.True(png.Length > 10_000, $"{name}.png has only {png.Length} bytes");
                string svg = File.ReadAllText(Path.Combine(dir, name + ".svg"));
                Assert.Contains("<svg", svg);
                Assert.Contains("</svg>", svg);
            }
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("fig9")]
    [InlineData("fig4", "--lr", "-0.1")]
    [InlineData("fig4", "--momentum", "1")]
    public void BadFigureOrOptionExitsWithCode2(params string[] args)
    {
        Assert.Equal(2, NmechApp.Run(["toy", .. args, "--out", Path.Combine(Path.GetTempPath(), "nmech-toy-unused")]));
    }
}
