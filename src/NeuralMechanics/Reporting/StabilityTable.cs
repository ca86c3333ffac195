using NeuralMechanics.Tracking;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The sharpness read rather than guessed from the figure: per run with a stability/ table, λ_max at
/// the first and last measurement and its largest value, the threshold at the end, the last λ_max over
/// the threshold (1: the edge of stability), and what the measurements cost (median Hessian-vector
/// products) and how converged they are (largest relative residual).
/// </summary>
internal static class StabilityTable
{
    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs)
    {
        var measured = runs.Where(r => r.Stability.RowCount > 0).ToList();
        if (measured.Count == 0) yield break;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in measured)
        {
            var t = run.Stability;
            var steps = t.Longs(Runs.TrajectorySchema.Step);
            var order = Enumerable.Range(0, t.RowCount).OrderBy(i => steps[i]).ToArray();
            var (lambda, threshold) = (t.Doubles(Sharpness.LambdaMaxColumn), t.Doubles(Sharpness.ThresholdColumn));
            var (iterations, residual) = (t.Ints(Sharpness.IterationsColumn), t.Doubles(Sharpness.ResidualColumn));
            var finite = order.Where(i => double.IsFinite(lambda[i])).ToArray();
            if (finite.Length == 0) continue;
            int first = finite[0], last = finite[^1];
            rows.Add(
            [
                run.Name, Labels.Count(t.RowCount), Labels.Scientific(lambda[first]), Labels.Scientific(lambda[last]),
                Labels.Scientific(finite.Max(i => lambda[i])), Labels.Scientific(threshold[last]),
                double.IsFinite(threshold[last]) ? (lambda[last] / threshold[last]).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "—",
                Labels.Number(OrderStatistics.Median(finite.Select(i => (double)iterations[i]).ToArray())),
                Labels.Scientific(finite.Max(i => residual[i])),
            ]);
        }
        yield return new HeadingBlock(2, "Sharpness");
        yield return new ParagraphBlock($"λ_max (stability/, Lanczos on Hessian-vector products of the step's batch loss, stopped at a relative residual of " +
            $"{Sharpness.DefaultTolerance:0e0} or {Sharpness.DefaultMaxIterations} products) against the optimizer's stability threshold; " +
            "last/threshold near 1 is the edge of stability. Products: the median number per measurement (each about two backward passes).");
        yield return new TableBlock(["run", "measurements", "λ_max first", "λ_max last", "λ_max max", "threshold", "last / threshold", "products (median)", "residual (max)"],
            rows, [false, true, true, true, true, true, true, true, true]);
    }
}
