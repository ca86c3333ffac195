using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Angular speed |Δθ_A|/(η|θ_A|) of BatchNorm-preceded layers against the equilibrium value the
/// run's optimizer predicts (SGD √(2λ/η), Section 6; momentum, AdamW and Lion theirs), one panel per run.
/// </summary>
internal static class AngularSpeedFigure
{
    public const string Id = "angular-speed";
    public const string Title = "Scale: angular speed against the optimizer's equilibrium";

    // The first updates rotate a freshly initialised layer far faster than the rest of the run
    // (step 1 of an SGD run: 10–100× the plateau); drawn, they would set the axis.
    private const long FirstDrawnStep = 5;

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var tracked = runs.Where(r => r.LayerSets(Kinds.Scale)
            .Any(l => !r.LayerSeries(Kinds.Scale, l, TrajectorySchema.AngularSpeed).IsEmpty)).ToList();
        if (tracked.Count == 0)
            return ReportFigure.Skipped(Id, Title, "no run has angular_speed values in its scale rows of layers/");
        var panels = new List<Panel>();
        var withoutEquilibrium = new List<string>();
        foreach (var (run, title, colour) in RunPanels.PerWeightDecay(runs, tracked))
        {
            var layers = run.LayerSets(Kinds.Scale);
            var panel = new Panel($"{title} · {run.Theory.Optimizer}", "angular speed |dθ/dt| / |θ|");
            double firstTime = run.Time(FirstDrawnStep);
            for (var k = 0; k < layers.Count; k++)
                panel.Empirical(From(run.LayerSeries(Kinds.Scale, layers[k], TrajectorySchema.AngularSpeed), firstTime),
                    FigureStyle.Shade(FigureStyle.Category(colour), k, layers.Count));
            panel.LegendLine(layers[0], FigureStyle.Shade(FigureStyle.Category(colour), 0, layers.Count));
            if (layers.Count > 1) panel.LegendLine(layers[^1], FigureStyle.Shade(FigureStyle.Category(colour), layers.Count - 1, layers.Count));
            // The equilibrium is the same for every layer of a run; at λ = 0 (or without a formula) there is none to draw.
            var equilibrium = From(run.LayerSeries(Kinds.Scale, layers[0], TrajectorySchema.AngularSpeedTheory), firstTime).Positive();
            if (run.WeightDecay > 0 && run.Theory.EquilibriumAngularSpeedFormula is { } formula && !equilibrium.IsEmpty)
            {
                panel.Prediction(equilibrium);
                panel.LegendPrediction($"{formula} ({run.Theory.Optimizer}'s equilibrium)");
            }
            else withoutEquilibrium.Add(run.Name);
            panels.Add(panel);
        }
        var files = FigureFile.Save(Path.Combine(folder, Id), panels, RunPanels.Columns(panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        string none = withoutEquilibrium.Count == 0 ? ""
            : $" No equilibrium is drawn for {string.Join(", ", withoutEquilibrium)}: without weight decay (or for that optimizer) the theory has none.";
        return ReportFigure.Written(Id, Title,
            $"Angular speed of each BatchNorm-preceded layer per unit time from step {FirstDrawnStep} on (the first steps' rotation " +
            "of the fresh initialisation is left out), light to dark from the first to the last layer; black dashed: the equilibrium " +
            "angular speed the run's optimizer predicts when weight decay and the updates balance, named in each legend." + none, files);
    }

    private static Series From(Series series, double firstTime)
    {
        int start = Array.FindIndex(series.Time, t => t >= firstTime);
        return start <= 0 ? series : new Series(series.Time[start..], series.Values[start..]);
    }
}
