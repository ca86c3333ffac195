namespace NeuralMechanics.Runs;

/// <summary>
/// Whether a run learned anything: the first thing a reader checks before reading its mechanics.
/// Pure functions over a run's loss and accuracy curves (metrics/), shared by the report and the console.
/// </summary>
public static class Learning
{
    /// <summary>How close to ln(classes), relatively, a loss counts as the chance level.</summary>
    public const double ChanceTolerance = 0.01;

    /// <summary>
    /// True when every loss stays within 1 % of ln(<paramref name="classes"/>), the cross-entropy of a
    /// uniform guess: the run never left the initial plateau. False for no losses (nothing to judge) and
    /// for a run with a non-finite loss (it diverged, which its status says instead).
    /// </summary>
    /// <param name="losses">The training loss of every step, in step order.</param>
    /// <param name="classes">Number of classes (at least 2).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2 (ln 1 = 0 is no chance level).</exception>
    public static bool DidNotLearn(IReadOnlyList<double> losses, int classes)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (losses.Count == 0) return false;
        var chance = Math.Log(classes);
        // A NaN fails the comparison, so a diverged run is not "did not learn".
        return losses.All(loss => Math.Abs(loss - chance) <= ChanceTolerance * chance);
    }

    /// <summary>
    /// The mean of the last <paramref name="count"/> values (all of them when there are fewer);
    /// NaN for no values. Per-batch accuracy is noisy: its trailing mean is what a run reached.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static double TrailingMean(IReadOnlyList<double> values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (values.Count == 0) return double.NaN;
        var from = Math.Max(0, values.Count - count);
        double sum = 0;
        for (var i = from; i < values.Count; i++) sum += values[i];
        return sum / (values.Count - from);
    }
}
