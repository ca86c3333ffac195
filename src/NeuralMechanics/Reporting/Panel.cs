using ScottPlot;
using ScottPlot.TickGenerators;

namespace NeuralMechanics.Reporting;

/// <summary>
/// One plot of a figure: empirical curves in colour, predictions as black dashed (continuous) or
/// dotted (discrete) lines, the x axis in the paper's time. Curves are collected first and drawn by
/// <see cref="Build"/>, which switches the y axis to log scale when every value is positive and they
/// span decades (or always, for <see cref="Log"/> panels).
/// </summary>
internal sealed class Panel(string title, string yLabel)
{
    /// <summary>Positive data whose max/min reaches this ratio is drawn on a log axis.</summary>
    public const double DecadesForLog = 100;

    /// <summary>How a curve is drawn: measured (solid, thick), predicted (dashed or dotted, thin), or a reference line.</summary>
    public enum Style { Solid, Dashed, Dotted, Reference }

    private readonly List<(Series Series, Color Color, Style Style, float Width)> curves = [];
    private readonly List<LegendItem> legend = [];
    private readonly List<double> horizontalLines = [];

    public string Title { get; } = title;
    /// <summary>Put the legend right of the plot instead of below it (for long legends).</summary>
    public bool LegendOutside { get; init; }
    /// <summary>Always a log y axis; values that are not positive are left out (relative errors).</summary>
    public bool Log { get; init; }
    /// <summary>The x-axis label; the paper's time unless set.</summary>
    public string XLabel { get; init; } = FigureStyle.TimeLabel;
    public bool IsEmpty => curves.Count == 0;

    /// <summary>A blank cell of a grid: no axes, no "no data" note (where a row has fewer panels than the grid has columns).</summary>
    public static Panel Blank() => new("", "") { IsBlank = true };

    private bool IsBlank { get; init; }
    /// <summary>Set by <see cref="Build"/>: whether the y axis is logarithmic.</summary>
    public bool LogScale { get; private set; }

    /// <summary>A measured curve.</summary>
    public void Empirical(Series series, Color color) => Add(series, color, Style.Solid);

    /// <summary>A predicted curve (black, dashed).</summary>
    public void Prediction(Series series) => Add(series, FigureStyle.Prediction, Style.Dashed);

    /// <summary>A curve of <paramref name="color"/> drawn in <paramref name="style"/>, <paramref name="width"/> pixels wide (the style's width by default).</summary>
    public void Add(Series series, Color color, Style style, float? width = null)
    {
        if (Log) series = series.Positive();
        if (!series.IsEmpty) curves.Add((series.Thinned(), color, style, width ?? Width(style)));
    }

    /// <summary>A grey horizontal line at <paramref name="y"/> (e.g. the zero change of gradient flow).</summary>
    public void HorizontalLine(double y) => horizontalLines.Add(y);

    /// <summary>A legend entry for a solid line of <paramref name="color"/>.</summary>
    public void LegendLine(string label, Color color) => legend.Add(Item(label, color, Style.Solid));

    /// <summary>A legend entry for a line of <paramref name="color"/> drawn in <paramref name="style"/>.</summary>
    public void LegendLine(string label, Color color, Style style) => legend.Add(Item(label, color, style));

    /// <summary>The legend entry of the predictions.</summary>
    public void LegendPrediction(string label) => legend.Add(Item(label, FigureStyle.Prediction, Style.Dashed));

    /// <summary>
    /// The largest range of one measured curve over the span of everything drawn, on the axis the
    /// panel uses (log or linear): near 0 when each curve is flat at this scale and only the offsets
    /// between curves are visible, so the panel shows no change.
    /// </summary>
    public double VisibleChange()
    {
        var log = UsesLog();
        double[] Plotted(Series s) => log ? s.Values.Select(Math.Log10).ToArray() : s.Values;
        var all = curves.SelectMany(c => Plotted(c.Series)).Concat(log ? [] : horizontalLines).ToList();
        if (all.Count == 0) return 0;
        var span = all.Max() - all.Min();
        if (span == 0) return 0;
        return curves.Where(c => c.Style == Style.Solid).Select(c => Plotted(c.Series))
            .Select(v => v.Max() - v.Min()).DefaultIfEmpty(0).Max() / span;
    }

    private bool UsesLog()
    {
        var values = curves.SelectMany(c => c.Series.Values).ToList();
        return Log || (values.Count > 0 && values.All(v => v > 0) && values.Max() / values.Min() >= DecadesForLog);
    }

    /// <summary>The ScottPlot plot of this panel.</summary>
    public Plot Build()
    {
        var plot = new Plot();
        if (IsBlank)
        {
            plot.HideAxesAndGrid();
            return plot;
        }
        plot.Font.Set(FigureStyle.Font);
        // Long titles (run names of sweeps) get a smaller font rather than being cut at the panel's edge.
        plot.Title(Title, Title.Length > 52 ? 10 : Title.Length > 40 ? 12 : 15);
        plot.Axes.Title.Label.Bold = false;
        plot.XLabel(XLabel, 13);
        LogScale = UsesLog();
        plot.YLabel(yLabel, 13);
        foreach (var y in LogScale ? [] : horizontalLines)
        {
            var line = plot.Add.HorizontalLine(y);
            line.Color = Colors.Gray;
            line.LineWidth = 1.5f;
        }
        // Predictions last, so they are drawn over the curves they predict.
        // Wider curves first, so a thinner one that coincides with them stays visible on top.
        foreach (var (series, color, style, width) in curves.OrderBy(c => c.Style == Style.Solid ? 0 : 1).ThenByDescending(c => c.Width))
        {
            var line = plot.Add.ScatterLine(series.Time, LogScale ? series.Values.Select(Math.Log10).ToArray() : series.Values);
            line.Color = color;
            line.LineWidth = width;
            line.MarkerSize = 0;
            line.LinePattern = Pattern(style);
        }
        if (LogScale)
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                IntegerTicksOnly = true,
                LabelFormatter = Decade,
                MinorTickGenerator = new LogMinorTickGenerator(),
            };
        if (Log && !IsEmpty)
        {
            // Whole decades: errors often span less than one, and an axis without a labelled decade cannot be read.
            var logs = curves.SelectMany(c => c.Series.Values).Select(Math.Log10).ToList();
            double low = Math.Floor(logs.Min()), high = Math.Ceiling(logs.Max());
            plot.Axes.SetLimitsY(low, high > low ? high : low + 1);
        }
        if (IsEmpty)
        {
            var note = plot.Add.Text("no data", 0, 0);
            note.LabelFontSize = 14;
        }
        if (legend.Count > 0)
        {
            plot.Legend.ManualItems.AddRange(legend);
            plot.Legend.FontSize = 12;
            plot.Legend.FontName = FigureStyle.Font;
            plot.Legend.SymbolWidth = 32;
            plot.Legend.OutlineColor = Colors.LightGray;
            plot.Legend.ShadowOffset = new PixelOffset(0, 0);
            // Outside the data area, so the legend never hides a curve.
            if (!LegendOutside) plot.Legend.Orientation = Orientation.Horizontal;
            var panel = plot.ShowLegend(LegendOutside ? Edge.Right : Edge.Bottom);
            panel.Padding = LegendOutside ? new PixelPadding(8, 8, 0, 0) : new PixelPadding(0, 0, 8, 4);
        }
        return plot;
    }

    /// <summary>10 to the power <paramref name="exponent"/>, with superscript digits.</summary>
    internal static string Decade(double exponent)
    {
        var e = (int)Math.Round(exponent);
        if (e == 0) return "1";
        if (e == 1) return "10";
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var text = Math.Abs(e).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "10" + (e < 0 ? "⁻" : "") + string.Concat(text.Select(c => digits[c - '0']));
    }

    private static float Width(Style style) => style switch
    {
        Style.Solid => 2.6f,
        Style.Dotted => 2.2f,
        Style.Reference => 1.5f,
        _ => 1.6f,
    };

    private static LinePattern Pattern(Style style) => style switch
    {
        Style.Dashed => LinePattern.Dashed,
        Style.Dotted => LinePattern.Dotted,
        _ => LinePattern.Solid,
    };

    private static LegendItem Item(string label, Color color, Style style) => new()
    {
        LabelText = label,
        LineColor = color,
        LineWidth = style == Style.Solid ? 2.5f : Width(style),
        LinePattern = Pattern(style),
        MarkerSize = 0,
    };
}
