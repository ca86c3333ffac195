namespace NeuralMechanics.Toys;

/// <summary>Comparisons between a discrete trajectory and continuous models sampled at the same times.</summary>
public static class Trajectories
{
    /// <summary>Mean Euclidean distance between corresponding points (both sampled at t = n·h).</summary>
    public static double MeanDistance(IReadOnlyList<Vec2> discrete, IReadOnlyList<Vec2> continuous)
    {
        if (discrete.Count != continuous.Count || discrete.Count == 0)
            throw new ArgumentException($"trajectories must have the same, non-zero length ({discrete.Count} vs {continuous.Count})");
        double sum = 0;
        for (int i = 0; i < discrete.Count; i++) sum += (discrete[i] - continuous[i]).Length;
        return sum / discrete.Count;
    }

    /// <summary>Every <paramref name="stride"/>-th point of a fine trajectory (for comparison at the coarse times).</summary>
    public static Vec2[] Every(IReadOnlyList<Vec2> fine, int stride) =>
        [.. Enumerable.Range(0, (fine.Count - 1) / stride + 1).Select(i => fine[i * stride])];
}
