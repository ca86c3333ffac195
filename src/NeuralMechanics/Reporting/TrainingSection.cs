using System.Globalization;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The report's opening table: per run the final loss, the training accuracy over the last 50 steps,
/// the test accuracy at the end, the speed, and whether it learned at all (<see cref="Learning.DidNotLearn"/>).
/// </summary>
internal static class TrainingSection
{
    /// <summary>What the table says of a run whose loss ends on ln(classes).</summary>
    public const string DidNotLearnMark = "did not learn";

    // "1 %" whatever the machine's culture.
    private static readonly string Band = Percent(Learning.PlateauTolerance).Replace(".0 %", " %");

    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs, ReportFigure figure)
    {
        yield return new HeadingBlock(2, "Training");
        yield return new ParagraphBlock(
            $"Per run: the loss of the last step's batch, the training accuracy averaged over the last {Learning.TrailingSteps} steps, the test accuracy " +
            "after the last step and the training speed (from status.json; \"—\" for runs that finished before it was recorded). A run whose loss " +
            $"stays within {Band} of ln(classes), the loss of a uniform guess, over its last {Learning.TrailingSteps} steps is marked \"{DidNotLearnMark}\": " +
            "it never left the plateau or fell back onto it (dead units after an early spike), and its mechanics are not those of a network that learns.");
        yield return new TableBlock(["run", "steps", "final loss", $"training accuracy (last {Learning.TrailingSteps})", "test accuracy", "steps/s", "learning"],
            runs.Select(Row).ToList(), [false, true, true, true, true, true, false]);
        if (figure.IsWritten) yield return new FigureBlock(figure);
    }

    private static IReadOnlyList<string> Row(ReportRun run)
    {
        var losses = run.MetricValues(TrajectorySchema.Loss);
        var accuracy = run.MetricValues(TrajectorySchema.Accuracy);
        var outcome = run.Status?.Outcome;
        var finalLoss = losses.Count > 0 ? losses[^1] : outcome?.FinalLoss ?? double.NaN;
        var trainAccuracy = accuracy.Count > 0 ? Learning.TrailingMean(accuracy, Learning.TrailingSteps) : double.NaN;
        var steps = losses.Count > 0 ? losses.Count : outcome?.Steps ?? 0;
        return
        [
            run.Name,
            steps > 0 ? Labels.Count(steps) : "—",
            Fixed(finalLoss, "0.0000"),
            Percent(trainAccuracy),
            Percent(outcome?.TestAccuracy ?? double.NaN),
            Fixed(outcome?.StepsPerSecond ?? double.NaN, "0.0"),
            Learned(run, losses),
        ];
    }

    private static string Learned(ReportRun run, IReadOnlyList<double> losses)
    {
        if (run.Status?.State == RunState.Diverged) return "diverged";
        if (losses.Count == 0 || run.Classes < 2) return "—";
        return Learning.DidNotLearn(losses, run.Classes)
            ? $"{DidNotLearnMark} (loss within {Band} of ln {run.Classes} = {Math.Log(run.Classes).ToString("0.000", CultureInfo.InvariantCulture)})"
            : $"loss left ln {run.Classes} ± {Band}";
    }

    private static string Fixed(double x, string format) => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string Percent(double x) => double.IsFinite(x) ? (100 * x).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";
}
