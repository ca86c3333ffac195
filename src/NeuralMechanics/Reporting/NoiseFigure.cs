using NeuralMechanics.Runs;
using NeuralMechanics.Tracking;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The gradient noise scale read against the step: per run with a noise/ table, B_simple = tr Σ / |G|²
/// (McCandlish et al. 2018) with the run's batch size beside it — a batch well under B_simple is noise
/// dominated (each step mostly noise), one well over it wastes examples.
/// </summary>
internal static class NoiseFigure
{
    public const string Id = "noise";
    public const string Title = "Gradient noise scale B_simple against step";

    /// <summary>The figure; none (not even a skip) when no run measured its noise scale, an opt-in measurement.</summary>
    public static IReadOnlyList<ReportFigure> Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var with = runs.Where(r => r.Noise.RowCount > 0).ToList();
        if (with.Count == 0) return [];
        var panels = new List<Panel>();
        foreach (var run in with)
        {
            var steps = run.Noise.Longs(TrajectorySchema.Step);
            var rows = Enumerable.Range(0, run.Noise.RowCount).OrderBy(i => steps[i]).ToArray();
            var panel = new Panel($"noise scale · {RunPanels.ShortName(run, with)}", "B_simple (examples)") { Log = true, XLabel = "step" };
            var noise = Series.From(run.Noise, rows, GradientNoise.BSimpleColumn, s => s).Positive();
            panel.Add(noise, FigureStyle.Category(0), Panel.Style.Solid, 2.2f);
            panel.LegendLine("B_simple (noise/)", FigureStyle.Category(0));
            var batch = run.Noise.Ints(GradientNoise.BatchColumn);
            var batchSize = new Series([.. rows.Select(i => (double)steps[i])], [.. rows.Select(i => (double)batch[i])]);
            panel.Prediction(batchSize);
            panel.LegendPrediction("batch size B");
            panels.Add(panel);
        }
        return [ReportFigure.Written(Id, Title,
            "Per run: the simple gradient noise scale B_simple = tr Σ / |G|² (McCandlish et al. 2018) every few steps (noise/), " +
            "estimated from the per-example gradients of the step's batch by the unbiased two-batch-size estimators of their " +
            "Appendix A.1 (batch sizes 1 and B): tr Σ ≈ B/(B−1)·(mean|gᵢ|² − |ḡ|²), |G|² ≈ (B|ḡ|² − mean|gᵢ|²)/(B−1); steps where " +
            "the |G|² estimate is not positive are left out. Black dashed: the run's batch size B. A batch below B_simple is " +
            "dominated by noise; above it, larger batches buy little.",
            FigureFile.Save(Path.Combine(folder, Id), panels, Math.Min(2, panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight))];
    }
}
