using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The equilibrium across the runs of a sweep (equilibrium/): each run's angular update per step at
/// the end of the run against ηλ, beside its equilibrium law (SGD: √(2ηλ), a function of ηλ only), and
/// each run's norm against η/λ, beside the equilibrium norm its forcing implies. Runs of different η
/// and λ with one product ηλ land on one angular update: the paper's claim that the equilibrium
/// (the angular update, and with it the effective learning rate η/|θ|²) depends on ηλ only.
/// </summary>
internal static class SweepFigure
{
    public const string Id = "sweep-equilibrium";
    public const string Title = "Equilibrium across runs: angular update against ηλ, norm against η/λ";

    /// <summary>One run's end of training: η, λ and the last-window means of equilibrium/'s columns, averaged over its scale layers.</summary>
    internal sealed record Point(ReportRun Run, double LearningRate, double WeightDecay, double AngularUpdate, double Theory, double Norm, double EquilibriumNorm)
    {
        public double Product => LearningRate * WeightDecay;
        public double Ratio => LearningRate / WeightDecay;
    }

    /// <summary>
    /// The runs with equilibrium/ rows at η, λ &gt; 0: per scale layer the mean of the last
    /// <see cref="Learning.TrailingSteps"/> finite values of each column (as the equilibrium table), then the mean over layers.
    /// </summary>
    internal static IReadOnlyList<Point> Points(IReadOnlyList<ReportRun> runs)
    {
        var points = new List<Point>();
        foreach (var run in runs)
        {
            var (eta, lambda, table) = (run.Manifest.Optimizer.LearningRate, run.WeightDecay, run.Equilibrium);
            if (table.RowCount == 0 || !(eta > 0) || !(lambda > 0)) continue;
            var (layer, steps) = (table.Strings(TrajectorySchema.Layer), table.Longs(TrajectorySchema.Step));
            var rows = Enumerable.Range(0, table.RowCount).GroupBy(i => layer[i]).Select(g => g.OrderBy(i => steps[i]).ToArray()).ToList();
            double End(string column)
            {
                var values = table.Doubles(column);
                return rows.Select(r => Learning.TrailingMean(r.Select(i => values[i]).Where(double.IsFinite).ToList(), Learning.TrailingSteps))
                    .Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            }
            points.Add(new Point(run, eta, lambda, End(TrajectorySchema.AngularUpdate), End(TrajectorySchema.AngularUpdateTheory),
                End(TrajectorySchema.Norm), End(TrajectorySchema.EquilibriumNorm)));
        }
        return points;
    }

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var points = Points(runs);
        if (points.Select(p => p.Product).Distinct().Count() < 2)
            return ReportFigure.Skipped(Id, Title,
                "it needs two or more runs with equilibrium/ rows (scale groups: BatchNorm) at η, λ > 0 and different ηλ, as a sweep over η and λ gives");
        var (update, norm) = Panels(points);
        var files = FigureFile.Save(Path.Combine(folder, Id), [update, norm], 2, FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        var steps = points.Select(p => p.Run.Manifest.Steps).Min();
        var slowest = points.Max(p => 1 / p.Product);
        return ReportFigure.Written(Id, Title,
            $"One point per run ({points.Count} runs with scale groups at λ > 0), coloured by η; each value is the mean over the run's BatchNorm-preceded " +
            $"layers of its last {Learning.TrailingSteps} steps in equilibrium/. Left: the angular update per step |Δθ_A|/|θ_A| against ηλ (log–log); " +
            "black open circles: the equilibrium each run's optimizer predicts (angular_update_theory), for SGD √(2ηλ), a function of ηλ alone " +
            "(dashed where every run follows it): runs of different η and λ with one ηλ share their angular update, and with it the effective " +
            "learning rate η/|θ|² ≈ √(2ηλ)/|g̃|. Right: the norm |θ_A| against η/λ; black open circles: the equilibrium norm the measured forcing " +
            "implies; grey: a line ∝ (η/λ)^¼ through the runs (the norm at which weight decay balances the gradient's push, |θ|⁴ = η|g̃|²/(2λ) for " +
            $"a gradient |g̃| at unit norm), so the norm, unlike the angular update, depends on η/λ. The equilibrium is reached over about 1/(ηλ) steps " +
            $"(up to {Labels.Count((long)Math.Round(slowest))} here; the shortest run has {Labels.Count(steps)}): runs shorter than that are still on their way.", files);
    }

    /// <summary>The angular-update panel (against ηλ) and the norm panel (against η/λ).</summary>
    internal static (Panel Update, Panel Norm) Panels(IReadOnlyList<Point> points)
    {
        var etas = points.Select(p => p.LearningRate).Distinct().Order().ToList();
        var update = new Panel("angular update per step at the end of each run", "|Δθ_A| / |θ_A| per step") { Log = true, LogX = true, XLabel = "ηλ" };
        var norm = new Panel("norm at the end of each run", "|θ_A| (mean over groups)") { Log = true, LogX = true, XLabel = "η/λ" };
        foreach (var (eta, colour) in etas.Select((e, i) => (e, i)))
        {
            var of = points.Where(p => p.LearningRate == eta).ToList();
            update.Add(new Series(of.Select(p => p.Product).ToArray(), of.Select(p => p.AngularUpdate).ToArray()).Finite(), FigureStyle.Category(colour), Panel.Style.Points);
            norm.Add(new Series(of.Select(p => p.Ratio).ToArray(), of.Select(p => p.Norm).ToArray()).Finite(), FigureStyle.Category(colour), Panel.Style.Points);
            update.LegendPoints($"η = {Labels.Number(eta)}", FigureStyle.Category(colour));
            norm.LegendPoints($"η = {Labels.Number(eta)}", FigureStyle.Category(colour));
        }

        var byProduct = points.Where(p => double.IsFinite(p.Theory)).OrderBy(p => p.Product).ToList();
        if (byProduct.Count > 0)
        {
            // Where every run's law is SGD's √(2ηλ), it is drawn as the line it is.
            if (byProduct.All(p => Math.Abs(p.Theory - Math.Sqrt(2 * p.Product)) <= 1e-9 * p.Theory))
            {
                var (low, high) = (byProduct[0].Product, byProduct[^1].Product);
                var grid = Enumerable.Range(0, 41).Select(k => low * Math.Pow(high / low, k / 40.0)).ToArray();
                update.Add(new Series(grid, grid.Select(x => Math.Sqrt(2 * x)).ToArray()), FigureStyle.Prediction, Panel.Style.Dashed);
                update.LegendLine("√(2ηλ): SGD's equilibrium", FigureStyle.Prediction, Panel.Style.Dashed);
            }
            update.Add(new Series(byProduct.Select(p => p.Product).ToArray(), byProduct.Select(p => p.Theory).ToArray()), FigureStyle.Prediction, Panel.Style.OpenPoints);
            update.LegendPoints("equilibrium of the run's optimizer", FigureStyle.Prediction, Panel.Style.OpenPoints);
        }

        var withNorm = points.Where(p => double.IsFinite(p.EquilibriumNorm) && p.EquilibriumNorm > 0).OrderBy(p => p.Ratio).ToList();
        if (withNorm.Count > 0)
        {
            norm.Add(new Series(withNorm.Select(p => p.Ratio).ToArray(), withNorm.Select(p => p.EquilibriumNorm).ToArray()), FigureStyle.Prediction, Panel.Style.OpenPoints);
            norm.LegendPoints("equilibrium norm from the forcing", FigureStyle.Prediction, Panel.Style.OpenPoints);
        }
        var measured = points.Where(p => p.Norm > 0 && double.IsFinite(p.Norm)).OrderBy(p => p.Ratio).ToList();
        if (measured.Select(p => p.Ratio).Distinct().Count() >= 2)
        {
            // The line ∝ (η/λ)^¼ through the geometric mean of the measured norms.
            var scale = Math.Exp(measured.Average(p => Math.Log(p.Norm) - Math.Log(p.Ratio) / 4));
            var (low, high) = (measured[0].Ratio, measured[^1].Ratio);
            var grid = Enumerable.Range(0, 41).Select(k => low * Math.Pow(high / low, k / 40.0)).ToArray();
            norm.Add(new Series(grid, grid.Select(x => scale * Math.Pow(x, 0.25)).ToArray()), ScottPlot.Colors.Gray, Panel.Style.Dashed);
            norm.LegendLine("∝ (η/λ)^¼", ScottPlot.Colors.Gray, Panel.Style.Dashed);
        }
        return (update, norm);
    }
}
