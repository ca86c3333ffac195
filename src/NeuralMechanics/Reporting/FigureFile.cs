using System.Text;
using System.Text.RegularExpressions;
using NeuralMechanics.Runs;
using ScottPlot;
using SkiaSharp;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Lays panels out on a grid and writes the figure as PNG and SVG (each atomically). The SVG
/// nests each panel's own SVG, with its element ids prefixed so clip paths of different panels
/// cannot collide.
/// </summary>
internal static partial class FigureFile
{
    /// <summary>Writes <c>stem.png</c> and <c>stem.svg</c>; returns their paths.</summary>
    public static (string Png, string Svg) Save(string stem, IReadOnlyList<Panel> panels, int columns, int panelWidth, int panelHeight)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel", nameof(panels));
        columns = Math.Clamp(columns, 1, panels.Count);
        var rows = (panels.Count + columns - 1) / columns;
        var (width, height) = (columns * panelWidth, rows * panelHeight);
        var plots = panels.Select(p => p.Build()).ToList();
        try
        {
            var png = stem + ".png";
            AtomicFile.WriteAllBytes(png, RenderPng(plots, columns, panelWidth, panelHeight, width, height));
            var svg = stem + ".svg";
            AtomicFile.WriteAllText(svg, RenderSvg(plots, columns, panelWidth, panelHeight, width, height));
            return (png, svg);
        }
        finally
        {
            foreach (var plot in plots) plot.Dispose();
        }
    }

    private static byte[] RenderPng(List<Plot> plots, int columns, int pw, int ph, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height))
            ?? throw new InvalidOperationException($"cannot allocate a {width}×{height} image");
        surface.Canvas.Clear(SKColors.White);
        // Each panel renders on its own surface: a plot clears the whole canvas it is given.
        using var panelSurface = SKSurface.Create(new SKImageInfo(pw, ph))
            ?? throw new InvalidOperationException($"cannot allocate a {pw}×{ph} image");
        for (var i = 0; i < plots.Count; i++)
        {
            plots[i].Render(panelSurface);
            using var panel = panelSurface.Snapshot();
            surface.Canvas.DrawImage(panel, i % columns * pw, i / columns * ph);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string RenderSvg(List<Plot> plots, int columns, int pw, int ph, int width, int height)
    {
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        svg.Append($"<rect fill=\"white\" width=\"{width}\" height=\"{height}\"/>\n");
        for (var i = 0; i < plots.Count; i++)
        {
            var panel = XmlDeclaration().Replace(plots[i].GetSvgXml(pw, ph), "");
            panel = Ids().Replace(panel, m => $"{m.Groups[1].Value}p{i}_{m.Groups[2].Value}");
            var (left, top) = (i % columns * pw, i / columns * ph);
            svg.Append(OpeningTag().Replace(panel, $"<svg x=\"{left}\" y=\"{top}\" ", 1)).Append('\n');
        }
        return svg.Append("</svg>\n").ToString();
    }

    [GeneratedRegex(@"<\?xml[^>]*\?>\s*")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex(@"(id=""|url\(#|href=""#)([^"")]+)")]
    private static partial Regex Ids();

    [GeneratedRegex(@"<svg ")]
    private static partial Regex OpeningTag();
}
