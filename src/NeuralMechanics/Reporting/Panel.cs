using ScottPlot;
using ScottPlot.TickGenerators;

namespace NeuralMechanics.Reporting;

/// <summary>
/// One plot of a figure: empirical curves in colour, predictions as black dashed lines, the
/// x axis in the paper's time. Curves are collected first and drawn by <see cref="Build"/>, which
/// switches the y axis to log scale when every value is positive and they span decades.
/// </summary>
internal sealed class Panel(string title, string yLabel)
{
    /// <summary>Positive data whose max/min reaches this ratio is drawn on a log axis.</summary>
    public const double DecadesForLog = 100;

    private readonly List<(Series Series, Color Color, bool Dashed)> curves = [];
    private readonly List<LegendItem> legend = [];

    public string Title { get; } = title;
    /// <summary>Put the legend right of the plot instead of below it (for long legends).</summary>
    public bool LegendOutside { get; init; }
    public bool IsEmpty => curves.Count == 0;
    /// <summary>Set by <see cref="Build"/>: whether the y axis is logarithmic.</summary>
    public bool LogScale { get; private set; }

    /// <summary>A measured curve.</summary>
    public void Empirical(Series series, Color color)
    {
        if (!series.IsEmpty) curves.Add((series.Thinned(), color, false));
    }

    /// <summary>A predicted curve (black, dashed).</summary>
    public void Prediction(Series series)
    {
        if (!series.IsEmpty) curves.Add((series.Thinned(), FigureStyle.Prediction, true));
    }

    /// <summary>A legend entry for a solid line of <paramref name="color"/>.</summary>
    public void LegendLine(string label, Color color) => legend.Add(Item(label, color, false));

    /// <summary>The legend entry of the predictions.</summary>
    public void LegendPrediction(string label) => legend.Add(Item(label, FigureStyle.Prediction, true));

    /// <summary>The ScottPlot plot of this panel.</summary>
    public Plot Build()
    {
        var plot = new Plot();
        plot.Font.Set(FigureStyle.Font);
        plot.Title(Title, 15);
        plot.Axes.Title.Label.Bold = false;
        plot.XLabel(FigureStyle.TimeLabel, 13);
        var values = curves.SelectMany(c => c.Series.Values).ToList();
        LogScale = values.Count > 0 && values.All(v => v > 0) && values.Max() / values.Min() >= DecadesForLog;
        plot.YLabel(yLabel, 13);
        // Predictions last, so they are drawn over the curves they predict.
        foreach (var (series, color, dashed) in curves.OrderBy(c => c.Dashed))
        {
            var line = plot.Add.ScatterLine(series.Time, LogScale ? series.Values.Select(Math.Log10).ToArray() : series.Values);
            line.Color = color;
            line.LineWidth = dashed ? 1.6f : 2.6f;
            line.MarkerSize = 0;
            if (dashed) line.LinePattern = LinePattern.Dashed;
        }
        if (LogScale)
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                IntegerTicksOnly = true,
                LabelFormatter = Decade,
                MinorTickGenerator = new LogMinorTickGenerator(),
            };
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

    private static LegendItem Item(string label, Color color, bool dashed) => new()
    {
        LabelText = label,
        LineColor = color,
        LineWidth = dashed ? 1.6f : 2.5f,
        LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid,
        MarkerSize = 0,
    };
}
