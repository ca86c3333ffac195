using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Planar dynamics (Fig. 5 top, Fig. 8): column sums of the final linear layer — the groups of
/// the translation set of its weight — against the modified-flow prediction Q(0)e^{−λt}, one
/// panel per weight decay.
/// </summary>
internal static class TranslationFigure
{
    public const string Id = "translation";
    public const string Title = "Translation: column sums of the final layer (Fig. 5 top, Fig. 8)";
    /// <summary>Columns drawn per run.</summary>
    public const int Units = 8;

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var sgd = runs.Where(r => !r.UsesMomentum && r.FinalWeightTranslationSet() is not null).ToList();
        if (sgd.Count == 0)
            return ReportFigure.Skipped(Id, Title, runs.Any(r => !r.UsesMomentum)
                ? "no SGD run logged a translation set of a final layer's weight in neurons/"
                : "every run uses momentum (see the oscillator figures)");
        var panels = new List<Panel>();
        string? layerName = null;
        foreach (var (run, title, colour) in RunPanels.PerWeightDecay(runs, sgd))
        {
            var set = run.FinalWeightTranslationSet()!;
            layerName ??= set;
            var panel = new Panel(title, "column sum ⟨θ_A, 1⟩");
            var units = Sampling.Evenly(run.Units(Kinds.Translation, set), Units);
            var label = "";
            for (var k = 0; k < units.Count; k++)
            {
                panel.Empirical(run.NeuronSeries(Kinds.Translation, set, units[k], TrajectorySchema.Empirical),
                    FigureStyle.Shade(FigureStyle.Category(colour), k, units.Count));
                var (prediction, predictionLabel) = run.NeuronPrediction(Kinds.Translation, set, units[k]);
                panel.Prediction(prediction);
                label = predictionLabel;
            }
            panel.LegendLine($"{set}, {units.Count} columns", FigureStyle.Category(colour));
            panel.LegendPrediction(label);
            panels.Add(panel);
        }
        if (Readability.Unreadable(panels, "the per-neuron translation figures") is { } unreadable)
            return ReportFigure.Skipped(Id, Title, unreadable);
        var files = FigureFile.Save(Path.Combine(folder, Id), panels, RunPanels.Columns(panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        return ReportFigure.Written(Id, Title,
            $"Sum over classes of the final layer's weights reading one input (a sample of up to {Units} columns of {layerName} per run), " +
            "empirical in colour (one colour per weight decay λ), prediction black dashed. Without weight decay the sums are conserved; " +
            "with it they decay as exp(−λt)." + LayerNormFigure.DiscreteOnly(sgd), files);
    }
}
