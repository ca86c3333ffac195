using NeuralMechanics.Reporting;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>
/// Writing figures is silent and keeps the dashes: Skia's SVG device prints "Unsupported path effect
/// in addPaint." to standard error for every dashed circle (a one-point prediction curve of a run
/// stopped after its first row), and flattens dashed lines into dash segments itself.
/// </summary>
// Not in parallel with other tests: standard error is the process's, captured for the test's duration.
[Collection(TorchRngCollection.Name)]
public sealed class FigureOutputTests
{
    /// <summary>A panel as a run stopped after its first logged row draws it: one point per curve, predictions dashed and dotted.</summary>
    private static Panel OnePointPanel()
    {
        var panel = new Panel("stopped after its first row", "ΔQ");
        panel.Empirical(new Series([0], [0.5]), FigureStyle.Category(0));
        panel.Add(new Series([0], [0.5]), FigureStyle.Prediction, Panel.Style.Dashed);
        panel.Add(new Series([0], [0.5]), FigureStyle.Prediction, Panel.Style.Dotted);
        panel.LegendPrediction("modified flow");
        return panel;
    }

    private static Panel DashedPanel()
    {
        var panel = new Panel("dashed", "ΔQ");
        double[] t = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        panel.Empirical(new Series(t, t.Select(x => x * x).ToArray()), FigureStyle.Category(0));
        panel.Prediction(new Series(t, t.Select(x => x * x + 1).ToArray()));
        panel.LegendPrediction("modified flow");
        return panel;
    }

    [Fact]
    public void WritingAFigureOfOnePointAndDashedCurvesPrintsNothingToStandardError()
    {
        using var dir = new TempDirectory();
        var stderr = NativeStandardError.Capture(() =>
            FigureFile.Save(Path.Combine(dir.Path, "figure"), [OnePointPanel(), DashedPanel()], 2, FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight));

        Assert.Equal("", stderr);
    }

    /// <summary>
    /// The accuracy panel of a reproduce grid's training figure: ten runs, the ninth and tenth drawn
    /// dashed, each run's test accuracy as points (open for the dashed runs), and the legend.
    /// </summary>
    private static Panel DashedRunsWithPointsPanel()
    {
        var panel = new Panel("training accuracy", "accuracy") { XLabel = "step" };
        double[] t = Enumerable.Range(0, 60).Select(i => 20.0 * i).ToArray();
        for (int k = 0; k < 10; k++)
        {
            var (colour, style) = (FigureStyle.Category(k), k < 8 ? Panel.Style.Solid : Panel.Style.Dashed);
            panel.Add(new Series(t, t.Select(x => 0.9 - 0.8 * Math.Exp(-x / (200.0 + 30 * k))).ToArray()), colour, style, 2.2f);
            panel.Add(new Series([300, 600, 900, 1200], [0.6 + 0.01 * k, 0.7, 0.8, 0.85]), colour, k < 8 ? Panel.Style.Points : Panel.Style.OpenPoints);
            panel.LegendLine($"run {k}", colour, style);
        }
        panel.LegendPoints("test (eval/)", ScottPlot.Colors.DimGray);
        return panel;
    }

    [Fact]
    public void WritingPointsBesideADashedLinePrintsNothingToStandardError()
    {
        using var dir = new TempDirectory();
        var stderr = NativeStandardError.Capture(() =>
            FigureFile.Save(Path.Combine(dir.Path, "figure"), [DashedRunsWithPointsPanel()], 1, FigureStyle.PanelWidth, FigureStyle.PanelHeight));

        Assert.Equal("", stderr);
    }

    [Fact]
    public void TheSvgOfADashedPredictionHoldsItsDashesAsSeparateSegments()
    {
        using var dir = new TempDirectory();
        var (_, svg) = FigureFile.Save(Path.Combine(dir.Path, "figure"), [DashedPanel()], 1, FigureStyle.PanelWidth, FigureStyle.PanelHeight);

        // Skia's SVG device flattens a dashed stroke into the filled outline of each dash: one closed
        // subpath per dash, so the prediction's path has many "Z"s where a solid line has none.
        var text = File.ReadAllText(svg);
        var dashes = text.Split('\n').Where(l => l.Contains("<path")).Max(l => l.Count(c => c == 'Z'));
        Assert.True(dashes >= 10, $"the most closed subpaths in one path: {dashes}");
    }
}
