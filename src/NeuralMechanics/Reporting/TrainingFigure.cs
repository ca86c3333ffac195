using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// What a reader checks first: did the runs learn? Loss and training accuracy against the step
/// (metrics/), every run overlaid, with the loss of a uniform guess ln(classes) as the reference,
/// and the test accuracy (eval/, every few steps) as points beside the training accuracy.
/// </summary>
internal static class TrainingFigure
{
    public const string Id = "training";
    public const string Title = "Training: loss and accuracy against step";
    /// <summary>Steps the accuracy curve is averaged over (as the table's training accuracy).</summary>
    public const int Window = Learning.TrailingSteps;

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        var with = runs.Where(r => r.Metrics.RowCount > 0).ToList();
        if (with.Count == 0) return ReportFigure.Skipped(Id, Title, "no run has a metrics/ table");
        var (loss, accuracy) = Panels(runs);
        var files = FigureFile.Save(Path.Combine(folder, Id), [loss, accuracy], 2, FigureStyle.WidePanelWidth, FigureStyle.PanelHeight);
        var evaluated = with.Where(r => r.Eval.RowCount > 0).ToList();
        var test = evaluated.Count == with.Count
            ? " Points: the test accuracy on the whole test set, every few steps (eval/)."
            : evaluated.Count > 0
                ? $" Points: the test accuracy on the whole test set, every few steps (eval/); {Names(with.Except(evaluated))} {(with.Count - evaluated.Count == 1 ? "has" : "have")} no eval/ table (made before it was logged, or stopped before the first evaluation)."
                : " No run has an eval/ table (runs made before the test accuracy was logged during training, or stopped before the first evaluation), so only the training accuracy is drawn.";
        var missing = runs.Except(with).ToList();
        var absent = missing.Count == 0 ? "" : $" Not drawn: {Names(missing)}, which {(missing.Count == 1 ? "has" : "have")} no metrics/ rows yet.";
        return ReportFigure.Written(Id, Title,
            $"Left: the loss of each step's training batch, one colour per run; grey: ln(classes), the loss of a uniform guess, where a run that " +
            $"does not learn stays. Right: the training accuracy averaged over the last {Window} batches (fewer at the start), same colours.{test}{absent}", files);
    }

    private static string Names(IEnumerable<ReportRun> runs) => string.Join(", ", runs.Select(r => r.Name));

    /// <summary>The loss panel (its legend names the runs) and the accuracy panel (training lines, test points).</summary>
    internal static (Panel Loss, Panel Accuracy) Panels(IReadOnlyList<ReportRun> runs)
    {
        var with = runs.Where(r => r.Metrics.RowCount > 0).ToList();
        var loss = new Panel("training loss (per batch)", "cross-entropy loss") { XLabel = "step", LegendOutside = true };
        // The loss panel's legend names the runs for both panels.
        var accuracy = new Panel($"training accuracy (mean of the last {Window} batches)", "accuracy") { XLabel = "step" };
        for (var k = 0; k < with.Count; k++)
        {
            // Eight colours, then the same colours dashed, so up to sixteen runs stay apart.
            var (colour, style) = (FigureStyle.Category(k), k < 8 ? Panel.Style.Solid : Panel.Style.Dashed);
            loss.Add(with[k].MetricSeries(TrajectorySchema.Loss), colour, style, 2.2f);
            accuracy.Add(Trailing(with[k].MetricSeries(TrajectorySchema.Accuracy)), colour, style, 2.2f);
            accuracy.Add(with[k].TestAccuracySeries(), colour, k < 8 ? Panel.Style.Points : Panel.Style.OpenPoints);
            loss.LegendLine(RunPanels.ShortName(with[k], with), colour, style);
        }
        foreach (var classes in with.Select(r => r.Classes).Where(c => c >= 2).Distinct().Order())
            loss.HorizontalLine(Math.Log(classes));
        loss.LegendLine("ln(classes): a uniform guess", ScottPlot.Colors.Gray, Panel.Style.Reference);
        accuracy.LegendLine("training", ScottPlot.Colors.DimGray);
        if (with.Any(r => r.Eval.RowCount > 0)) accuracy.LegendPoints("test (eval/)", ScottPlot.Colors.DimGray);
        return (loss, accuracy);
    }

    /// <summary>Each point the mean of itself and up to <see cref="Window"/> − 1 points before it.</summary>
    private static Series Trailing(Series series)
    {
        var values = new double[series.Count];
        double sum = 0;
        for (var i = 0; i < series.Count; i++)
        {
            sum += series.Values[i];
            if (i >= Window) sum -= series.Values[i - Window];
            values[i] = sum / Math.Min(i + 1, Window);
        }
        return new Series(series.Time, values);
    }
}
