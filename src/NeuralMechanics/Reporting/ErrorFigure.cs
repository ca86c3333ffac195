using NeuralMechanics.Runs;
using ScottPlot;

namespace NeuralMechanics.Reporting;

/// <summary>
/// How well each law predicts each kind, over time, on a log axis: the median over groups of the
/// relative error (<see cref="Tracking.ErrorSummary.RelativeError"/>) of gradient flow, the
/// continuous law and the exact discrete law at every logged step. The paper's story in one
/// picture: the discrete law at rounding level, the continuous one close, conservation off and
/// growing. One figure with a row per run, and one with the runs overlaid.
/// </summary>
internal static class ErrorFigure
{
    public const string Id = "errors";
    public const string OverlayId = "errors-overlay";
    public const string Title = "Relative prediction error against time, per run (median over groups)";
    public const string OverlayTitle = "Relative prediction error against time, runs overlaid";

    /// <summary>The colour of a predictor: the same in every error figure.</summary>
    public static Color Colour(string predictor) => predictor switch
    {
        TrajectorySchema.GradientFlow => FigureStyle.Category(1),
        TrajectorySchema.Continuous => FigureStyle.Category(0),
        _ => FigureStyle.Category(2),
    };

    /// <summary>
    /// The line width of a predictor: where two laws predict the same (gradient flow and the modified
    /// flow at λ = 0), the thinner line is drawn over the wider one and both stay visible.
    /// </summary>
    public static float Width(string predictor) => predictor switch
    {
        TrajectorySchema.GradientFlow => 5.5f,
        TrajectorySchema.Continuous => 3.5f,
        _ => 1.8f,
    };

    private const string YLabel = "relative error |prediction − Q| / terms";

    /// <summary>The figure with one row of panels (one per kind) per run and, for several runs, the overlay; a skip when no run has neurons/ rows.</summary>
    public static IReadOnlyList<ReportFigure> Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var kinds = Kinds.All.Where(k => runs.Any(r => r.NeuronSets(k).Count > 0)).ToList();
        var with = runs.Where(r => kinds.Any(k => r.NeuronSets(k).Count > 0)).ToList();
        if (with.Count == 0)
            return [ReportFigure.Skipped(Id, Title, "no run has neurons/ rows with predictions")];
        var curves = with.ToDictionary(r => r, r => kinds.ToDictionary(k => k,
            k => TrajectorySchema.Predictions.Select(p => (Predictor: p, Series: PredictionErrors.OverTime(r, k, p))).ToList()));

        var panels = new List<Panel>();
        foreach (var run in with)
        foreach (var kind in kinds)
        {
            if (run.NeuronSets(kind).Count == 0)
            {
                // The model has no groups of this kind (no BatchNorm, no scale): an empty cell keeps the grid's columns.
                panels.Add(Panel.Blank());
                continue;
            }
            var panel = new Panel($"{kind} · {RunPanels.ShortName(run, with)}", YLabel) { Log = true };
            foreach (var (predictor, series) in curves[run][kind])
            {
                panel.Add(series, Colour(predictor), Panel.Style.Solid, Width(predictor));
                if (!series.Positive().IsEmpty) panel.LegendLine(Label(run, predictor), Colour(predictor), Panel.Style.Solid);
            }
            if (panel.IsEmpty) panel.EmptyNote = EmptyNote(run, kind);
            panels.Add(panel);
        }
        var figures = new List<ReportFigure>
        {
            ReportFigure.Written(Id, Title,
                "Each panel: one run and one kind; at every logged step the median over the kind's groups (neurons/) of " +
                "|prediction − empirical| / terms for gradient flow (conservation, vermillion), the continuous law (modified flow, " +
                "or the damped oscillator with momentum, blue) and the exact discrete law (green). Log axis; a predictor whose " +
                "median is exactly 0 at a step has no point there, and a predictor that does not apply has no line.",
                FigureFile.Save(Path.Combine(folder, Id), panels, kinds.Count, FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight)),
        };
        if (with.Count > 1)
        {
            var overlay = new List<Panel>();
            foreach (var kind in kinds)
            {
                var panel = new Panel(kind, YLabel) { Log = true };
                var members = with.Where(r => r.NeuronSets(kind).Count > 0).ToList();
                for (var k = 0; k < members.Count; k++)
                foreach (var (predictor, series) in curves[members[k]][kind])
                    panel.Add(series, FigureStyle.Shade(Colour(predictor), k, members.Count), Panel.Style.Solid, Width(predictor));
                foreach (var predictor in TrajectorySchema.Predictions)
                    if (members.Any(r => !curves[r][kind].Single(c => c.Predictor == predictor).Series.Positive().IsEmpty))
                        panel.LegendLine(Labels.Predictor(predictor), Colour(predictor), Panel.Style.Solid);
                if (panel.IsEmpty) panel.EmptyNote = EmptyNote(members[0], kind);
                overlay.Add(panel);
            }
            figures.Add(ReportFigure.Written(OverlayId, OverlayTitle,
                $"The curves of the figure above, all runs of a kind in one panel: a colour per predictor (vermillion gradient flow, " +
                $"blue continuous, green exact discrete), light to dark in run order ({string.Join(", ", with.Select(r => r.Name))}).",
                FigureFile.Save(Path.Combine(folder, OverlayId), overlay, Math.Min(kinds.Count, 3), FigureStyle.PanelWidth, FigureStyle.PanelHeight)));
        }
        return figures;
    }

    /// <summary>A predictor's legend label for <paramref name="run"/>: the discrete column holds the law of the run's optimizer (Adam's, AdamW's, Lion's update identity; SGD's exact recurrence).</summary>
    internal static string Label(ReportRun run, string predictor) =>
        predictor == TrajectorySchema.Discrete ? run.Theory.DiscreteLawShort : Labels.Predictor(predictor);

    /// <summary>Why a run's error panel of <paramref name="kind"/> has no curve.</summary>
    internal static string EmptyNote(ReportRun run, string kind)
    {
        var (steps, kinds) = (run.Neurons.Longs(TrajectorySchema.Step), run.Neurons.Strings(TrajectorySchema.Kind));
        var logged = Enumerable.Range(0, run.Neurons.RowCount).Where(i => kinds[i] == kind).Select(i => steps[i]).Distinct().Count();
        return logged <= 1
            ? "only step 0 logged so far: errors are measured from the next logged step on (the run stopped early, or has just started)"
            : "no positive error to draw: every prediction matches exactly or does not apply";
    }
}
