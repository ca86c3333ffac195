using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Angular speed |Δθ_A|/(η|θ_A|) of BatchNorm-preceded layers against the stationary value
/// √(2λ/η) (Section 6, scale dynamics), one panel per weight decay.
/// </summary>
internal static class AngularSpeedFigure
{
    public const string Id = "angular-speed";
    public const string Title = "Scale: angular speed against its stationary value √(2λ/η)";

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var sgd = runs.Where(r => !r.UsesMomentum && r.LayerSets(Kinds.Scale)
            .Any(l => !r.LayerSeries(Kinds.Scale, l, TrajectorySchema.AngularSpeed).IsEmpty)).ToList();
        if (sgd.Count == 0)
            return ReportFigure.Skipped(Id, Title, runs.Any(r => !r.UsesMomentum)
                ? "no SGD run has angular_speed values in its scale rows of layers/"
                : "every run uses momentum");
        var panels = new List<Panel>();
        foreach (var (run, title, colour) in RunPanels.PerWeightDecay(runs, sgd))
        {
            var layers = run.LayerSets(Kinds.Scale);
            var panel = new Panel(title, "angular speed |dθ/dt| / |θ|");
            for (var k = 0; k < layers.Count; k++)
                panel.Empirical(run.LayerSeries(Kinds.Scale, layers[k], TrajectorySchema.AngularSpeed),
                    FigureStyle.Shade(FigureStyle.Category(colour), k, layers.Count));
            // The stationary value is the same for every layer of a run.
            panel.Prediction(run.LayerSeries(Kinds.Scale, layers[0], TrajectorySchema.AngularSpeedTheory));
            panel.LegendLine(layers[0], FigureStyle.Shade(FigureStyle.Category(colour), 0, layers.Count));
            if (layers.Count > 1) panel.LegendLine(layers[^1], FigureStyle.Shade(FigureStyle.Category(colour), layers.Count - 1, layers.Count));
            panel.LegendPrediction("√(2λ/η) (stationary)");
            panels.Add(panel);
        }
        var files = FigureFile.Save(Path.Combine(folder, Id), panels, RunPanels.Columns(panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        return ReportFigure.Written(Id, Title,
            "Angular speed of each BatchNorm-preceded layer per step, light to dark from the first to the last layer; black dashed: " +
            "the stationary angular speed √(2λ/η) the scale dynamics approach when weight decay and discretisation balance.", files);
    }
}
