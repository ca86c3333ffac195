namespace NeuralMechanics.Runs;

/// <summary>Whether a run learned: the first thing a reader checks before trusting its mechanics.</summary>
public static class Learning
{
    /// <summary>How close to ln(classes), relatively, a loss must stay over the last <see cref="TrailingSteps"/> steps for "did not learn".</summary>
    public const double PlateauTolerance = 0.01;

    /// <summary>Steps the training accuracy is averaged over at the end of a run, and the plateau judged over.</summary>
    public const int TrailingSteps = 50;

    /// <summary>
    /// True when every loss of the last <see cref="TrailingSteps"/> steps lies within 1 % of
    /// ln(<paramref name="classes"/>), the cross-entropy of a uniform guess: the run ends on the
    /// plateau, whether it never left it or fell back onto it (dead units after an early spike).
    /// False for an empty list.
    /// </summary>
    public static bool DidNotLearn(IReadOnlyList<double> losses, int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "expected at least 2 classes");
        if (losses.Count == 0) return false;
        double plateau = Math.Log(classes);
        return losses.Skip(Math.Max(0, losses.Count - TrailingSteps))
            .All(l => double.IsFinite(l) && Math.Abs(l - plateau) <= PlateauTolerance * plateau);
    }

    /// <summary>
    /// What a run folder says about its learning: final loss, training accuracy over the last
    /// <see cref="TrailingSteps"/> steps, test accuracy and speed (from status.json where the run
    /// finished), and whether it did not learn.
    /// </summary>
    /// <exception cref="InvalidInputException">The folder's manifest, status or metrics table is malformed.</exception>
    public static LearningSummary Read(string runDir)
    {
        var run = RunDirectory.Open(runDir);
        var metrics = TrajectoryReader.Read(run.MetricsFolder, [TrajectorySchema.Loss, TrajectorySchema.Accuracy]);
        var losses = metrics.Doubles(TrajectorySchema.Loss);
        var accuracy = metrics.Doubles(TrajectorySchema.Accuracy);
        var outcome = run.ReadStatus()?.Outcome;
        return new LearningSummary(Path.GetFileName(Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar)), losses.Length,
            losses.Length > 0 ? losses[^1] : double.NaN, TrailingMean(accuracy, TrailingSteps),
            outcome?.TestAccuracy ?? double.NaN, outcome?.StepsPerSecond ?? double.NaN, outcome?.Seconds ?? double.NaN,
            DidNotLearn(losses, Math.Max(2, run.Manifest.Classes)));
    }

    /// <summary>The mean of the last <paramref name="count"/> values (all of them when fewer; NaN when none).</summary>
    public static double TrailingMean(IReadOnlyList<double> values, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "expected at least 1");
        int n = Math.Min(count, values.Count);
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int i = values.Count - n; i < values.Count; i++) sum += values[i];
        return sum / n;
    }
}

/// <summary>A run's learning at a glance (<see cref="Learning.Read"/>).</summary>
/// <param name="Name">The run folder's name.</param>
/// <param name="Steps">Rows in metrics/ (updates made).</param>
/// <param name="FinalLoss">Training loss of the last step's batch.</param>
/// <param name="TrainAccuracy">Training accuracy averaged over the last <see cref="Learning.TrailingSteps"/> steps.</param>
/// <param name="TestAccuracy">Test accuracy after the last step (NaN when the run did not finish).</param>
/// <param name="StepsPerSecond">Training speed (NaN when the run did not finish).</param>
/// <param name="Seconds">Training time (NaN when the run did not finish).</param>
/// <param name="DidNotLearn">The loss stayed within 1 % of ln(classes) at every step.</param>
public sealed record LearningSummary(string Name, long Steps, double FinalLoss, double TrainAccuracy, double TestAccuracy,
    double StepsPerSecond, double Seconds, bool DidNotLearn)
{
    /// <summary>One line: name, final loss, training and test accuracy, steps/s, minutes, and the mark.</summary>
    public override string ToString()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string line = string.Format(inv, "{0}: loss {1:F3}, train acc {2:P1} (last {3} steps), test acc {4}, {5:F1} steps/s, {6:F1} min",
            Name, FinalLoss, TrainAccuracy, Learning.TrailingSteps, double.IsNaN(TestAccuracy) ? "—" : TestAccuracy.ToString("P1", inv),
            StepsPerSecond, Seconds / 60);
        return DidNotLearn ? line + " — DID NOT LEARN (loss within 1 % of ln classes throughout)" : line;
    }
}
