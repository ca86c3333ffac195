using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using ScottPlot;
using ScottPlot.Plottables;
using ScottPlot.TickGenerators;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>
/// The figure fixes of a researcher's first hour (issue 32), checked on the figure objects and the
/// ScottPlot plottables they build, not on pixels: log axes read, empty panels say why, the rounding
/// band lies around y = 0, attention charges are small multiples, the test accuracy is drawn, and a
/// sweep's figure puts one point per run where its η and λ say.
/// </summary>
public sealed class FigureReadabilityTests
{
    /// <summary>The labelled ticks of the y axis, as rendering places them (ScottPlot fills a manual generator's ticks when it lays the axis out).</summary>
    private static string[] MajorLabels(Plot plot) => Ticks(plot).Where(t => t.IsMajor).Select(t => t.Label).ToArray();

    private static Tick[] Ticks(Plot plot)
    {
        using (plot.GetImage(FigureStyle.PanelWidth, FigureStyle.PanelHeight)) { }
        return ((NumericManual)plot.Axes.Left.TickGenerator).Ticks;
    }

    private static Series Flat(double value, int points = 5) =>
        new(Enumerable.Range(0, points).Select(i => (double)i).ToArray(), Enumerable.Repeat(value, points).ToArray());

    [Fact]
    public void ALogAxisOverValuesOnOneDecadeLabelsTwoDecades()
    {
        // Every value 10²: its decade alone would be a single labelled tick, which gives no scale.
        var panel = new Panel("flat", "y") { Log = true };
        panel.Empirical(Flat(100), Colors.Blue);
        using var plot = panel.Build();

        Assert.True(panel.LogScale);
        Assert.Equal(["10²", "10³"], MajorLabels(plot));
    }

    [Fact]
    public void ALogAxisOverTwelveDecadesLabelsAtMostSevenOfThemAndCoversEveryValue()
    {
        var panel = new Panel("wide", "y") { Log = true };
        panel.Empirical(new Series([0, 1, 2], [1e-12, 1e-6, 1]), Colors.Blue);
        using var plot = panel.Build();

        var labels = MajorLabels(plot);
        Assert.InRange(labels.Length, 2, Panel.MostDecadeLabels);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Bottom <= -12 && limits.Top >= 0, $"y limits {limits.Bottom}…{limits.Top} must cover 10⁻¹²…1");
    }

    [Fact]
    public void AnEmptyPanelShowsItsReasonAsTheOnlyThingDrawn()
    {
        var panel = new Panel("interrupted", "y") { EmptyNote = "only step 0 logged so far: errors are measured from the next step on" };
        using var plot = panel.Build();

        var note = Assert.Single(plot.GetPlottables());
        Assert.Equal(Panel.Wrap(panel.EmptyNote, 44), Assert.IsType<Annotation>(note).Text);
        // No ticks that would suggest a scale for data that is not there.
        Assert.Empty(Ticks(plot));
    }

    [Fact]
    public void TheRoundingBandSpansYAroundZeroWhereTheCurveSitsAtTheFloor()
    {
        const double floor = 3e-8;
        var panel = new Panel("at the floor", "ΔQ / terms");
        panel.Empirical(new Series([0, 1, 2, 3], [0, 1.5 * floor, -1.2 * floor, 2 * floor]), Colors.Blue);
        panel.RoundingBand(floor);
        using var plot = panel.Build();

        Assert.False(panel.LogScale);
        // A band of y values across the plot (ScottPlot's VerticalSpan), not a strip of x values at t ≈ 0.
        var band = Assert.Single(plot.GetPlottables<VerticalSpan>());
        Assert.Equal((-floor, floor), (band.Bottom, band.Top));
        Assert.Empty(plot.GetPlottables<HorizontalSpan>());
    }

    [Fact]
    public void ALogPanelDrawsNoRoundingBandAroundZero()
    {
        var panel = new Panel("errors", "y") { Log = true };
        panel.Empirical(new Series([0, 1], [1e-3, 1e-1]), Colors.Blue);
        panel.RoundingBand(1e-7);
        using var plot = panel.Build();

        Assert.Empty(plot.GetPlottables<VerticalSpan>());
    }

    /// <summary>A synthetic run folder under <paramref name="root"/>, loaded for the report.</summary>
    private static ReportRun Run(string root, SyntheticRun? run = null) =>
        ReportRun.Load("run", (run ?? new SyntheticRun(Steps: 40, Units: 4, Layers: 2, Samples: false)).Write(root));

    [Fact]
    public void TheChargesFigureDrawsAPanelPerAttentionLayerWithAColourPerHeadThenTheErrors()
    {
        using var dir = new TempDirectory();
        var run = Run(dir.Path);
        const int heads = 3, attentions = 2;
        using (var writer = new TrajectoryWriter(run.Directory.ChargesFolder, TrajectorySchema.ChargesColumns))
            for (long step = 0; step < 4; step++)
                for (var a = 0; a < attentions; a++)
                    for (var h = 0; h < heads; h++)
                        foreach (var kind in new[] { "qk", "vo" })
                        {
                            double c = 1 + h + 0.1 * step + (kind == "vo" ? 0.5 : 0);
                            writer.AddRow().Long(step).Double(run.Time(step)).String($"blocks.{a}.attn.h{h}").String(kind)
                                .Double(c).Double(1).Double(c).Double(c * (1 + 1e-7)).Double(10).End();
                        }

        var panels = TransformerFigure.ChargePanels(TransformerFigure.ChargeTables([run]));

        // Two attention layers and the error panel: one row of three.
        Assert.Equal(["blocks.0.attn · run", "blocks.1.attn · run", "error, median over heads · run"], panels.Select(p => p.Title));
        foreach (var attention in panels.Take(attentions))
        {
            Assert.Equal(heads, attention.CurvesDrawn(Panel.Style.Solid).Count);
            Assert.Equal(heads, attention.CurvesDrawn(Panel.Style.Dashed).Count);
            Assert.Equal(["h0", "h1", "h2", "C_QK", "C_VO"], attention.LegendLabels);
            using var plot = attention.Build();
            // A colour per head, shared by its C_QK and C_VO curves.
            Assert.Equal(heads, plot.GetPlottables<Scatter>().Select(s => s.Color).Distinct().Count());
        }
        Assert.True(panels[^1].Log);
    }

    [Fact]
    public void TheTrainingFigureDrawsTheEvalTablesTestAccuracyAsPointsAtTheirSteps()
    {
        using var dir = new TempDirectory();
        var root = new SyntheticRun(Steps: 40, Units: 4, Layers: 2, Samples: false).Write(dir.Path);
        long[] steps = [0, 10, 20, 30, 40];
        double[] accuracy = [0.1, 0.4, 0.6, 0.7, 0.75];
        using (var writer = new TrajectoryWriter(RunDirectory.Open(root).EvalFolder, TrajectorySchema.EvalColumns))
            for (var i = 0; i < steps.Length; i++) writer.AddRow().Long(steps[i]).Double(accuracy[i]).End();
        var run = ReportRun.Load("run", root);

        var (_, panel) = TrainingFigure.Panels([run]);

        var points = Assert.Single(panel.CurvesDrawn(Panel.Style.Points));
        Assert.Equal(steps.Select(s => (double)s), points.Time);
        Assert.Equal(accuracy, points.Values);
        Assert.Contains("test (eval/)", panel.LegendLabels);
    }

    [Fact]
    public void ARunWithoutAnEvalTableHasNoTestPointsAndNoLegendEntryForThem()
    {
        using var dir = new TempDirectory();
        var (_, panel) = TrainingFigure.Panels([Run(dir.Path)]);

        Assert.Empty(panel.CurvesDrawn(Panel.Style.Points));
        Assert.DoesNotContain("test (eval/)", panel.LegendLabels);
    }

    [Fact]
    public void TheSweepFigurePutsEachRunAtItsProductAndRatioColouredByLearningRate()
    {
        using var dir = new TempDirectory();
        var run = Run(dir.Path);
        // Two learning rates; the runs at 0.1·10⁻³ and 0.01·10⁻² share ηλ = 10⁻⁴ and SGD's √(2ηλ).
        (double Eta, double Lambda, double Update, double Norm)[] runs = [(0.1, 1e-3, 0.015, 4), (0.1, 1e-2, 0.05, 2.5), (0.01, 1e-2, 0.014, 1.3)];
        var points = runs.Select(r => new SweepFigure.Point(run, r.Eta, r.Lambda, r.Update, Math.Sqrt(2 * r.Eta * r.Lambda), r.Norm, 1.1 * r.Norm)).ToList();

        var (update, norm) = SweepFigure.Panels(points);

        // One series of points per η, in increasing η: first η = 0.01, then η = 0.1.
        var byEta = update.CurvesDrawn(Panel.Style.Points);
        Assert.Equal(2, byEta.Count);
        Assert.Equal([1e-4], byEta[0].Time);
        Assert.Equal([0.014], byEta[0].Values);
        Assert.Equal([1e-4, 1e-3], byEta[1].Time);
        Assert.Equal([0.015, 0.05], byEta[1].Values);
        var ratios = norm.CurvesDrawn(Panel.Style.Points);
        Assert.Equal([1.0], ratios[0].Time);
        Assert.Equal([100.0, 10.0], ratios[1].Time);
        Assert.Equal([4.0, 2.5], ratios[1].Values);
        // The optimizer's equilibrium as open circles at each run's ηλ, and SGD's law as the line it is.
        var theory = Assert.Single(update.CurvesDrawn(Panel.Style.OpenPoints));
        Assert.Equal(points.OrderBy(p => p.Product).Select(p => Math.Sqrt(2 * p.Product)), theory.Values);
        var line = Assert.Single(update.CurvesDrawn(Panel.Style.Dashed));
        Assert.All(line.Time.Zip(line.Values), p => Assert.Equal(Math.Sqrt(2 * p.First), p.Second, 1e-12));
        Assert.Equal(["η = 0.01", "η = 0.1"], update.LegendLabels.Take(2));
    }

    [Fact]
    public void TheSweepFigureDrawsNoSgdLineWhereTheRunsFollowAnotherLaw()
    {
        using var dir = new TempDirectory();
        var run = Run(dir.Path);
        // An equilibrium that is not √(2ηλ) (Lion's, AdamW's): only the open circles, no line that would claim SGD's law.
        var points = new[] { (0.1, 1e-3), (0.1, 1e-2) }.Select(p => new SweepFigure.Point(run, p.Item1, p.Item2, 0.02, 3 * Math.Sqrt(2 * p.Item1 * p.Item2), 2, 2)).ToList();

        var (update, _) = SweepFigure.Panels(points);

        Assert.Empty(update.CurvesDrawn(Panel.Style.Dashed));
        Assert.Single(update.CurvesDrawn(Panel.Style.OpenPoints));
        Assert.DoesNotContain("√(2ηλ): SGD's equilibrium", update.LegendLabels);
    }
}
