using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public class PanelTests
{
    private static bool LogScaleOf(params double[] values)
    {
        var panel = new Panel("t", "y");
        panel.Empirical(new Series(values.Select((_, i) => (double)i).ToArray(), values), FigureStyle.Category(0));
        using var plot = panel.Build();
        return panel.LogScale;
    }

    [Fact]
    public void TheYAxisIsLogarithmicOnlyForPositiveValuesSpanningTwoDecades()
    {
        Assert.True(LogScaleOf(1, 10, 100));
        Assert.False(LogScaleOf(1, 10, 99));
        Assert.False(LogScaleOf(-1, 10, 1000));
        Assert.False(LogScaleOf(0, 10, 1000));
    }

    [Fact]
    public void DecadesAndHyperparametersReadAsInThePaper()
    {
        Assert.Equal("10⁻³", Panel.Decade(-3));
        Assert.Equal("10¹²", Panel.Decade(12));
        Assert.Equal("1", Panel.Decade(0));
        Assert.Equal("5×10⁻⁴", Labels.Number(5e-4));
        Assert.Equal("10⁻⁴", Labels.Number(1e-4));
        Assert.Equal("0.9", Labels.Number(0.9));
        Assert.Equal("0", Labels.Number(0));
        Assert.Equal("1.00e-3", Labels.Scientific(1e-3));
    }

    [Fact]
    public void ThinningKeepsTheEndsAndAtMostMaxPointsInOrder()
    {
        var n = 10 * Series.MaxPoints + 7;
        var series = new Series(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), Enumerable.Range(0, n).Select(i => 2.0 * i).ToArray());
        var thin = series.Thinned();
        Assert.Equal(Series.MaxPoints, thin.Count);
        Assert.Equal((0.0, n - 1.0), (thin.Time[0], thin.Time[^1]));
        Assert.True(thin.Time.Zip(thin.Time.Skip(1)).All(p => p.First < p.Second));
        Assert.All(thin.Time.Zip(thin.Values), p => Assert.Equal(2 * p.First, p.Second));
    }
}
