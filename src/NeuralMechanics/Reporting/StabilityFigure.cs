using NeuralMechanics.Runs;
using NeuralMechanics.Tracking;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Where the finite-step laws hold: per run with a stability/ table, the sharpness λ_max against
/// time with the optimizer's stability threshold (2/η for SGD), and on the same time axis the
/// relative prediction error of the continuous law (modified flow) and of the exact discrete law,
/// median over each kind's groups. The continuous law is first order in η·λ; as η·λ_max nears 2 its
/// error grows, while the discrete recurrence stays at rounding.
/// </summary>
internal static class StabilityFigure
{
    public const string Id = "sharpness";
    public const string Title = "Sharpness against the stability threshold, and the laws' prediction errors on the same time axis";

    private static readonly Panel.Style[] KindStyles = [Panel.Style.Solid, Panel.Style.Dashed, Panel.Style.Dotted];

    /// <summary>The figure; none (not even a skip) when no run measured its sharpness, an opt-in measurement.</summary>
    public static IReadOnlyList<ReportFigure> Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var with = runs.Where(r => r.Stability.RowCount > 0).ToList();
        if (with.Count == 0) return [];
        var panels = new List<Panel>();
        foreach (var run in with)
        {
            var name = RunPanels.ShortName(run, with);
            var steps = run.Stability.Longs(TrajectorySchema.Step);
            var rows = Enumerable.Range(0, run.Stability.RowCount).OrderBy(i => steps[i]).ToArray();
            var sharpness = new Panel($"sharpness · {name}", $"λ_max of {run.Theory.SharpnessMeasure}");
            sharpness.Add(Series.From(run.Stability, rows, Sharpness.LambdaMaxColumn, run.Time).Finite(), FigureStyle.Category(0), Panel.Style.Solid, 2.2f);
            sharpness.Prediction(Series.From(run.Stability, rows, Sharpness.ThresholdColumn, run.Time).Finite());
            sharpness.LegendLine("λ_max (Lanczos, stability/)", FigureStyle.Category(0));
            sharpness.LegendPrediction($"threshold {run.Theory.SharpnessThresholdFormula ?? "(none)"}");
            panels.Add(sharpness);

            var errors = new Panel($"prediction error · {name}", "relative error |prediction − Q| / terms") { Log = true };
            var kinds = Kinds.All.Where(k => run.NeuronSets(k).Count > 0).ToList();
            foreach (var predictor in new[] { TrajectorySchema.Continuous, TrajectorySchema.Discrete })
            {
                bool drawn = false;
                for (int k = 0; k < kinds.Count; k++)
                {
                    var series = PredictionErrors.OverTime(run, kinds[k], predictor);
                    if (series.Positive().IsEmpty) continue;
                    errors.Add(series, ErrorFigure.Colour(predictor), KindStyles[Array.IndexOf(Kinds.All, kinds[k])], 2f);
                    drawn = true;
                }
                if (drawn) errors.LegendLine(Labels.Predictor(predictor), ErrorFigure.Colour(predictor));
            }
            foreach (var kind in kinds) errors.LegendLine(kind, ScottPlot.Colors.DimGray, KindStyles[Array.IndexOf(Kinds.All, kind)]);
            if (errors.IsEmpty) errors.EmptyNote = "no neurons/ rows with predictions (the run was not tracked, or logged only step 0)";
            panels.Add(errors);
        }
        return [ReportFigure.Written(Id, Title,
            "Left, per run: the sharpness λ_max (the top eigenvalue of the step's batch-loss Hessian, plus λI with an L2 weight decay; of the " +
            "preconditioned P⁻¹H with Adam) every few steps, measured by Lanczos on Hessian-vector products (stability/), and black dashed " +
            "the optimizer's stability threshold (2/η for SGD, 2(1+β)/η with heavy-ball momentum, (2+2β₁)/((1−β₁)η) for Adam). Right, on " +
            "the same time axis: the median over each kind's groups of the relative error of the continuous law (modified flow, blue) and of " +
            "the exact discrete law (green); line style per kind. The modified flow is first order in η·λ: where λ_max reaches the threshold " +
            "(the edge of stability) its error grows, while the discrete recurrence stays at rounding.",
            FigureFile.Save(Path.Combine(folder, Id), panels, 2, FigureStyle.PanelWidth, FigureStyle.PanelHeight))];
    }
}
