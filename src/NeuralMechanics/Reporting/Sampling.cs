namespace NeuralMechanics.Reporting;

/// <summary>Deterministic samples of units and layers to draw.</summary>
internal static class Sampling
{
    /// <summary>At most <paramref name="count"/> items spread evenly from first to last, in order.</summary>
    public static IReadOnlyList<T> Evenly<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count) return items;
        if (count == 1) return [items[0]];
        return Enumerable.Range(0, count).Select(k => (int)Math.Round(k * (items.Count - 1) / (double)(count - 1)))
            .Distinct().Select(i => items[i]).ToList();
    }
}
