using NeuralMechanics.Runs;
using ScottPlot;
using SkiaSharp;

namespace NeuralMechanics.Toys;

/// <summary>Writes a figure of one or more ScottPlot panels as PNG and SVG, each through a temp file and a rename.</summary>
internal static class FigureFile
{
    /// <summary>Lays the panels out in a row and writes DIR/NAME.png and DIR/NAME.svg; returns both paths.</summary>
    public static IReadOnlyList<string> Save(string directory, string name, IReadOnlyList<Plot> panels, int panelWidth, int height)
    {
        Directory.CreateDirectory(directory);
        var figure = new Multiplot(panels[0]);
        foreach (var panel in panels.Skip(1)) figure.AddPlot(panel);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        int width = panelWidth * panels.Count;

        string png = Path.Combine(directory, name + ".png");
        using (var image = figure.Render(width, height))
            AtomicFile.Write(png, stream => stream.Write(image.GetImageBytes(ImageFormat.Png, 100)));

        string svg = Path.Combine(directory, name + ".svg");
        AtomicFile.Write(svg, stream =>
        {
            using var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream);
            figure.Render(canvas, new PixelRect(0, width, height, 0));
        });
        return [png, svg];
    }
}
