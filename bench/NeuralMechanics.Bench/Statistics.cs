namespace NeuralMechanics.Bench;

/// <summary>Order statistics for noisy timings.</summary>
public static class Statistics
{
    /// <summary>
    /// Ratios of the blocks that ran in the same repetition (<paramref name="numerator"/>[r] /
    /// <paramref name="denominator"/>[r]): load from other processes that drifts over the run
    /// affects both sides of a pair alike.
    /// </summary>
    public static double[] PairedRatios(IReadOnlyList<double> numerator, IReadOnlyList<double> denominator)
    {
        if (numerator.Count != denominator.Count)
            throw new ArgumentException($"{numerator.Count} numerators but {denominator.Count} denominators");
        return numerator.Select((n, r) => n / denominator[r]).ToArray();
    }

    /// <summary>
    /// The order in which <paramref name="variants"/> variants run in repetition
    /// <paramref name="repetition"/>: rotated by one each repetition, so each variant runs in every
    /// position equally often and none always follows the same one.
    /// </summary>
    public static int[] Rotation(int variants, int repetition) =>
        Enumerable.Range(0, variants).Select(v => (v + repetition) % variants).ToArray();
}
