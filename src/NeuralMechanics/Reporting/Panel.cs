using ScottPlot;
using ScottPlot.TickGenerators;

namespace NeuralMechanics.Reporting;

/// <summary>
/// One plot of a figure: empirical curves in colour, predictions as black dashed (continuous) or
/// dotted (discrete) lines, the x axis in the paper's time. Curves are collected first and drawn by
/// <see cref="Build"/>, which switches the y axis to log scale when every value is positive and they
/// span decades (or always, for <see cref="Log"/> panels). A log axis always runs over whole decades
/// and labels at least two of them. A panel with nothing to draw shows <see cref="EmptyNote"/>, why.
/// </summary>
internal sealed class Panel(string title, string yLabel)
{
    /// <summary>Positive data whose max/min reaches this ratio is drawn on a log axis.</summary>
    public const double DecadesForLog = 100;

    /// <summary>How a curve is drawn: measured (solid, thick), predicted (dashed or dotted, thin), a reference line, or markers without a line (one point per run).</summary>
    public enum Style { Solid, Dashed, Dotted, Reference, Points, OpenPoints }

    private readonly List<(Series Series, Color Color, Style Style, float Width)> curves = [];
    private readonly List<LegendItem> legend = [];
    private readonly List<double> horizontalLines = [];
    private double? roundingFloor;

    public string Title { get; } = title;
    /// <summary>Put the legend right of the plot instead of below it (for long legends).</summary>
    public bool LegendOutside { get; init; }
    /// <summary>Always a log y axis; values that are not positive are left out (relative errors).</summary>
    public bool Log { get; init; }
    /// <summary>The x-axis label; the paper's time unless set.</summary>
    public string XLabel { get; init; } = FigureStyle.TimeLabel;
    /// <summary>A log x axis (values that are not positive are left out of every curve).</summary>
    public bool LogX { get; init; }
    public bool IsEmpty => curves.Count == 0;

    /// <summary>What an empty panel says instead of a plot: why there is nothing to draw.</summary>
    public string EmptyNote { get; set; } = "no data";

    /// <summary>The curves to draw, as added (after the filters of a log axis).</summary>
    public IReadOnlyList<Series> Curves => curves.Select(c => c.Series).ToList();

    /// <summary>The curves drawn in <paramref name="style"/>.</summary>
    public IReadOnlyList<Series> CurvesDrawn(Style style) => curves.Where(c => c.Style == style).Select(c => c.Series).ToList();

    /// <summary>The legend's labels, in order.</summary>
    public IReadOnlyList<string> LegendLabels => legend.Select(l => l.LabelText).ToList();

    /// <summary>The half-width of the rounding band drawn around 0 (<see cref="RoundingBand"/>), null when none.</summary>
    public double? RoundingFloor => roundingFloor;

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
        if (LogX) series = series.PositiveTime();
        if (!series.IsEmpty) curves.Add((series.Thinned(), color, style, width ?? Width(style)));
    }

    /// <summary>
    /// A light grey band ±<paramref name="floor"/> around 0: changes inside it are below what the
    /// quantity's float32 parameters resolve (<see cref="Change.Floor"/>).
    /// </summary>
    public void RoundingBand(double floor)
    {
        if (double.IsFinite(floor) && floor > 0) roundingFloor = floor;
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
        if (IsEmpty)
        {
            Note(plot, EmptyNote);
            return plot;
        }
        if (roundingFloor is { } floor && !LogScale)
        {
            // ScottPlot's VerticalSpan is the band of y values across the whole x range (its HorizontalSpan is a range of x).
            var band = plot.Add.VerticalSpan(-floor, floor);
            band.FillStyle.Color = Colors.LightGray.WithAlpha(0.6);
            band.LineStyle.Width = 0;
        }
        foreach (var y in LogScale ? [] : horizontalLines)
        {
            var line = plot.Add.HorizontalLine(y);
            line.Color = Colors.Gray;
            line.LineWidth = 1.5f;
        }
        // Predictions last, so they are drawn over the curves they predict.
        // Wider curves first, so a thinner one that coincides with them stays visible on top.
        // Markers before any dashed or dotted line: ScottPlot fills a marker with the paint the last
        // line left, dash included, and Skia's SVG device cannot dash a circle (it printed
        // "Unsupported path effect in addPaint." for every eval point drawn after a dashed run).
        foreach (var (series, color, style, width) in curves.OrderBy(DrawOrder).ThenByDescending(c => c.Width))
        {
            var line = plot.Add.ScatterLine(LogX ? series.Time.Select(Math.Log10).ToArray() : series.Time,
                LogScale ? series.Values.Select(Math.Log10).ToArray() : series.Values);
            line.Color = color;
            line.LineWidth = style is Style.Points or Style.OpenPoints ? 0 : width;
            // A curve of one point (a run stopped after its first row) has no line to draw: a marker shows it,
            // drawn solid, since Skia's SVG device cannot put a dash on a circle (it printed "Unsupported path
            // effect in addPaint." for each one). Dashed lines of two or more points keep their dashes in PNG and SVG.
            line.LinePattern = series.Count == 1 ? LinePattern.Solid : Pattern(style);
            line.MarkerSize = style is Style.Points or Style.OpenPoints ? 9 : series.Count == 1 ? 7 : 0;
            line.MarkerShape = style == Style.OpenPoints ? MarkerShape.OpenCircle : MarkerShape.FilledCircle;
        }
        if (LogScale)
        {
            var (low, high, ticks) = DecadeTicks(curves.SelectMany(c => c.Series.Values).Select(Math.Log10));
            plot.Axes.Left.TickGenerator = ticks;
            plot.Axes.SetLimitsY(low, high);
        }
        if (LogX)
        {
            var (low, high, ticks) = DecadeTicks(curves.SelectMany(c => c.Series.Time).Select(Math.Log10));
            plot.Axes.Bottom.TickGenerator = ticks;
            plot.Axes.SetLimitsX(low, high);
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

    /// <summary>
    /// The limits and ticks of a log axis over <paramref name="logs"/> (log10 of the values): whole
    /// decades from below the smallest to above the largest value, at least one decade wide, so at least
    /// two decades are labelled (an axis with one labelled decade cannot be read); on a wide range every
    /// k-th decade is labelled (at most <see cref="MostDecadeLabels"/>), the others get a minor tick, and
    /// a range of up to three decades gets minor ticks at 2…9 × 10ⁿ.
    /// </summary>
    internal static (double Low, double High, NumericManual Ticks) DecadeTicks(IEnumerable<double> logs)
    {
        var values = logs.Where(double.IsFinite).ToList();
        double low = values.Count == 0 ? 0 : Math.Floor(values.Min()), high = values.Count == 0 ? 1 : Math.Ceiling(values.Max());
        var stride = Math.Max(1, (int)Math.Ceiling((high - low) / (MostDecadeLabels - 1)));
        // The labelled decades are multiples of the stride; the range widens to the next ones outside.
        low = Math.Floor(low / stride) * stride;
        high = Math.Max(low + stride, Math.Ceiling(high / stride) * stride);
        var ticks = new NumericManual();
        for (var d = low; d <= high; d++)
        {
            if ((d - low) % stride == 0) ticks.AddMajor(d, Decade(d));
            else ticks.AddMinor(d);
            if (stride == 1 && high - low <= 3 && d < high)
                for (var k = 2; k <= 9; k++) ticks.AddMinor(d + Math.Log10(k));
        }
        return (low, high, ticks);
    }

    /// <summary>Most decades labelled on a log axis.</summary>
    public const int MostDecadeLabels = 7;

    /// <summary>An empty panel: the reason in the middle, no ticks or grid that would suggest data.</summary>
    private static void Note(Plot plot, string text)
    {
        plot.Axes.Left.TickGenerator = new NumericManual();
        plot.Axes.Bottom.TickGenerator = new NumericManual();
        plot.HideGrid();
        var note = plot.Add.Annotation(Wrap(text, 44), Alignment.MiddleCenter);
        note.LabelFontSize = 13;
        note.LabelFontName = FigureStyle.Font;
        note.LabelBackgroundColor = Colors.White;
        note.LabelBorderColor = Colors.LightGray;
        note.LabelShadowColor = Colors.Transparent;
    }

    /// <summary><paramref name="text"/> broken at spaces into lines of at most <paramref name="width"/> characters.</summary>
    internal static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return string.Join("\n", lines);
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
        Style.Points or Style.OpenPoints => 0f,
        _ => 1.6f,
    };

    private static int DrawOrder((Series Series, Color Color, Style Style, float Width) curve) =>
        curve.Style == Style.Solid ? 0 : curve.Style is Style.Points or Style.OpenPoints || curve.Series.Count == 1 ? 1 : 2;

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
        MarkerSize = style is Style.Points or Style.OpenPoints ? 9 : 0,
        MarkerShape = style == Style.OpenPoints ? MarkerShape.OpenCircle : MarkerShape.FilledCircle,
        MarkerColor = color,
    };

    /// <summary>A legend entry for markers of <paramref name="color"/> (filled, or open for <see cref="Style.OpenPoints"/>).</summary>
    public void LegendPoints(string label, Color color, Style style = Style.Points) => legend.Add(Item(label, color, style));

    /// <summary>A legend entry for the grey rounding band.</summary>
    public void LegendRounding(string label) => legend.Add(new LegendItem
    {
        LabelText = label,
        FillColor = Colors.LightGray.WithAlpha(0.6),
        LineWidth = 0,
        MarkerSize = 0,
    });
}
