using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Per-layer dynamics from layers/ rows of one kind, one panel per weight decay: the squared
/// norms of BatchNorm-preceded layers (scale; Fig. 5 middle, Fig. 9) or the differences of
/// consecutive layers' squared norms (rescale; Fig. 5 bottom, Fig. 10).
/// </summary>
internal static class LayerNormFigure
{
    public const string ScaleId = "scale";
    public const string RescaleId = "rescale";
    public const string ScaleTitle = "Scale: squared norms of BatchNorm-preceded layers (Fig. 5 middle, Fig. 9)";
    public const string RescaleTitle = "Rescale: differences of consecutive layers' squared norms (Fig. 5 bottom, Fig. 10)";

    public static ReportFigure Scale(IReadOnlyList<ReportRun> runs, string folder) =>
        Build(runs, folder, Kinds.Scale, ScaleId, ScaleTitle, "|θ_A|² (layer sum)",
            "Squared norm of each BatchNorm-preceded layer (sum over its channels), light to dark from the first to the last layer, " +
            "one colour per weight decay λ; prediction black dashed. Without weight decay the norms only grow; with it they are pulled " +
            "toward the origin and settle where the centripetal and centrifugal forces balance.");

    public static ReportFigure Rescale(IReadOnlyList<ReportRun> runs, string folder) =>
        Build(runs, folder, Kinds.Rescale, RescaleId, RescaleTitle, "|θ_A1|² − |θ_A2|² (layer sum)",
            "Difference between the squared norms of a layer's incoming and outgoing weights (sum over its units), light to dark " +
            "from the first to the last layer, one colour per weight decay λ; prediction black dashed.");

    private static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder, string kind, string id, string title, string yLabel, string caption)
    {
        var sgd = runs.Where(r => !r.UsesMomentum && r.LayerSets(kind).Count > 0).ToList();
        if (sgd.Count == 0)
            return ReportFigure.Skipped(id, title, runs.Any(r => !r.UsesMomentum)
                ? $"no SGD run has {kind} rows in layers/ (the model has no {kind} symmetry, or nothing was logged)"
                : "every run uses momentum (see the oscillator figures)");
        var panels = new List<Panel>();
        foreach (var (run, panelTitle, colour) in RunPanels.PerWeightDecay(runs, sgd))
            panels.Add(LayerPanel(run, kind, run.LayerSets(kind), panelTitle, yLabel, FigureStyle.Category(colour)));
        if (Readability.Unreadable(panels, $"the change figure ({ChangeFigure.Id(kind)})") is { } unreadable)
            return ReportFigure.Skipped(id, title, unreadable);
        var files = FigureFile.Save(Path.Combine(folder, id), panels, RunPanels.Columns(panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        return ReportFigure.Written(id, title, caption + DiscreteOnly(sgd), files);
    }

    /// <summary>For the caption: which runs' prediction is their optimizer's discrete law, as no continuous law applies to it.</summary>
    internal static string DiscreteOnly(IReadOnlyList<ReportRun> runs) => string.Concat(runs.Where(r => r.Theory.ContinuousLaw is null)
        .GroupBy(r => r.Theory.Optimizer)
        .Select(g => $" {string.Join(", ", g.Select(r => r.Name))} ({g.Key}): the prediction is the {g.First().Theory.DiscreteLaw}; no continuous law applies."));

    /// <summary>A panel with one shaded curve and its prediction per layer; the legend names the first and last layer.</summary>
    public static Panel LayerPanel(ReportRun run, string kind, IReadOnlyList<string> layers, string title, string yLabel, ScottPlot.Color colour)
    {
        var panel = new Panel(title, yLabel);
        var label = "";
        for (var k = 0; k < layers.Count; k++)
        {
            panel.Empirical(run.LayerSeries(kind, layers[k], TrajectorySchema.Empirical), FigureStyle.Shade(colour, k, layers.Count));
            var (prediction, predictionLabel) = run.LayerPrediction(kind, layers[k]);
            panel.Prediction(prediction);
            label = predictionLabel;
        }
        panel.LegendLine(layers[0], FigureStyle.Shade(colour, 0, layers.Count));
        if (layers.Count > 1) panel.LegendLine(layers[^1], FigureStyle.Shade(colour, layers.Count - 1, layers.Count));
        panel.LegendPrediction(label);
        return panel;
    }
}
