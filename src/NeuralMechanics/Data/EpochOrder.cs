namespace NeuralMechanics.Data;

/// <summary>
/// Which examples make batch p of an endless stream of epochs. The order of epoch e is a
/// Fisher–Yates shuffle driven by <c>System.Random(seed·1000003 + e)</c> (its seeded algorithm is
/// fixed across .NET versions), independent of torch's generator, so any batch can be
/// recomputed from p alone. Not thread-safe: it caches the current epoch's order.
/// </summary>
internal sealed class EpochOrder(int count, int batchSize, bool shuffle, long seed, bool dropLast)
{
    private long cachedEpoch = -1;
    private int[] order = [];

    /// <summary>Batches per epoch: the partial last batch counts unless it is dropped.</summary>
    public int BatchesPerEpoch { get; } = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;

    /// <summary>Example indices of batch <paramref name="position"/> (counting across epochs).</summary>
    public ReadOnlySpan<int> Batch(long position)
    {
        long epoch = position / BatchesPerEpoch;
        int start = (int)(position % BatchesPerEpoch) * batchSize;
        if (epoch != cachedEpoch)
        {
            order = shuffle ? Permutation(count, seed, epoch) : [.. Enumerable.Range(0, count)];
            cachedEpoch = epoch;
        }
        return order.AsSpan(start, Math.Min(batchSize, count - start));
    }

    /// <summary>The shuffled order of epoch <paramref name="epoch"/>.</summary>
    public static int[] Permutation(int count, long seed, long epoch)
    {
        var rng = new Random(unchecked((int)(seed * 1000003 + epoch)));
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
