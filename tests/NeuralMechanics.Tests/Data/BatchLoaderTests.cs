using NeuralMechanics.Data;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Data;

public class BatchLoaderTests
{
    /// <summary>
    /// 23 examples of 2x1x3 whose pixel j is (6·index + j)/1000, class index mod 3, so a batch
    /// (under the identity normalization) tells which examples it holds.
    /// </summary>
    private sealed class IndexedImages(int count = 23, int failAt = -1) : ImageDataSet
    {
        public override string Name => "indexed";
        public override int Count => count;
        public override int Channels => 2;
        public override int Height => 1;
        public override int Width => 3;
        public override int Classes => 3;
        public override int Label(int index) => index % 3;

        public override void ReadImage(int index, Span<float> destination)
        {
            if (index == failAt) throw new InvalidInputException($"example {index} is broken");
            for (int j = 0; j < 6; j++) destination[j] = (6 * index + j) / 1000f;
        }
    }

    private static readonly Normalization Identity = new([0f, 0f], [1f, 1f]);

    private static int[] Indices(Tensor x) =>
        [.. x[.., 0, 0, 0].data<float>().ToArray().Select(v => (int)Math.Round(v * 1000 / 6))];

    /// <summary>The next <paramref name="count"/> batches as (indices, labels), disposing the tensors.</summary>
    private static List<(int[] Indices, long[] Labels)> Take(BatchLoader loader, int count)
    {
        var batches = new List<(int[], long[])>();
        for (int i = 0; i < count; i++)
        {
            var (x, y) = loader.Next();
            using (x)
            using (y)
                batches.Add((Indices(x), y.data<long>().ToArray()));
        }
        return batches;
    }

    private static void AssertSameBatches(List<(int[] Indices, long[] Labels)> expected, List<(int[] Indices, long[] Labels)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Indices, actual[i].Indices);
            Assert.Equal(expected[i].Labels, actual[i].Labels);
        }
    }

    [Fact]
    public void BatchesAreNormalizedFloat32ImagesWithInt64Labels()
    {
        var norm = new Normalization([0.01f, 0.02f], [0.5f, 0.25f]);
        using var loader = new BatchLoader(new IndexedImages(), 4, norm, CPU, shuffle: false, prefetch: 0);
        var (x, y) = loader.Next();
        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal([4L, 2, 1, 3], x.shape);
        Assert.Equal(ScalarType.Int64, y.dtype);
        Assert.Equal([4L], y.shape);
        // Example 2, channel 1, pixel 2 is (6·2 + 3 + 2)/1000 before normalization.
        Assert.Equal((17 / 1000f - 0.02f) / 0.25f, x[2, 1, 0, 2].ReadSingle());
        Assert.Equal([0L, 1, 2, 0], y.data<long>().ToArray());
    }

    [Fact]
    public void SameSeedGivesTheSameBatchesAndAnotherSeedOthers()
    {
        using var a = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 3);
        using var b = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 3);
        using var c = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 4);
        var first = Take(a, 12);
        AssertSameBatches(first, Take(b, 12));
        Assert.NotEqual(first.SelectMany(x => x.Indices), Take(c, 12).SelectMany(x => x.Indices));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void SeekToKReturnsWhatKCallsToNextWouldHaveLedTo(int prefetch)
    {
        const int k = 7; // 5 batches per epoch: crosses into the second epoch
        using var uninterrupted = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 9, prefetch: prefetch);
        var all = Take(uninterrupted, k + 6);

        using var resumed = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 9, prefetch: prefetch);
        Take(resumed, 2);
        resumed.Seek(k);
        Assert.Equal(k, resumed.Position);
        AssertSameBatches(all[k..], Take(resumed, 6));
        Assert.Equal(k + 6, resumed.Position);
    }

    [Fact]
    public void PrefetchingDoesNotChangeTheStream()
    {
        using var direct = new BatchLoader(new IndexedImages(), 5, Identity, CPU, seed: 1, dropLast: false, prefetch: 0);
        using var prefetched = new BatchLoader(new IndexedImages(), 5, Identity, CPU, seed: 1, dropLast: false, prefetch: 3);
        AssertSameBatches(Take(direct, 17), Take(prefetched, 17));
    }

    [Fact]
    public void EveryExampleAppearsOncePerEpochInAFreshOrder()
    {
        using var loader = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 2, dropLast: false);
        Assert.Equal(6, loader.BatchesPerEpoch);
        var epoch0 = Take(loader, 6).SelectMany(b => b.Indices).ToArray();
        var epoch1 = Take(loader, 6).SelectMany(b => b.Indices).ToArray();
        Assert.Equal(Enumerable.Range(0, 23), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 23), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
    }

    [Fact]
    public void DropLastEpochsHoldDistinctExamplesAndFullBatches()
    {
        using var loader = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 2);
        Assert.Equal(5, loader.BatchesPerEpoch);
        var epoch = Take(loader, 5);
        Assert.All(epoch, b => Assert.Equal(4, b.Indices.Length));
        Assert.Equal(20, epoch.SelectMany(b => b.Indices).Distinct().Count());
    }

    [Fact]
    public void EpochOrderIsTheSeededFisherYatesShuffle()
    {
        const long seed = 11;
        using var loader = new BatchLoader(new IndexedImages(), 23, Identity, CPU, seed: seed);
        Take(loader, 1);
        var epoch1 = Take(loader, 1)[0].Indices;

        var expected = Enumerable.Range(0, 23).ToArray();
        var rng = new Random((int)(seed * 1000003 + 1));
        for (int i = expected.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }
        Assert.Equal(expected, epoch1);
    }

    [Fact]
    public void OneEpochIsInOrderAndKeepsThePartialLastBatch()
    {
        using var loader = new BatchLoader(new IndexedImages(), 4, Identity, CPU, seed: 5);
        var batches = loader.OneEpoch().Select(b =>
        {
            using var _ = b.X;
            using var __ = b.Y;
            return (Indices: Indices(b.X), Labels: b.Y.data<long>().ToArray());
        }).ToList();
        Assert.Equal([4, 4, 4, 4, 4, 3], batches.Select(b => b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 23), batches.SelectMany(b => b.Indices));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (long)(i % 3)), batches.SelectMany(b => b.Labels));
        Assert.Equal(0, loader.Position);
    }

    [Fact]
    public void NormalizedDataHasZeroMeanAndUnitStdPerChannel()
    {
        var data = DataSets.Load("synthetic:3x4x4:5", seed: 2).Train.Take(300);
        var norm = Normalization.Compute(data, maxExamples: 300);
        using var loader = new BatchLoader(data, 64, norm, CPU);
        using var scope = NewDisposeScope();
        var all = cat(loader.OneEpoch().Select(b => b.X).ToList(), 0).to(ScalarType.Float64);
        var perChannel = all.transpose(0, 1).reshape(3, -1);
        var mean = perChannel.mean([1]).data<double>().ToArray();
        var std = perChannel.std(1, unbiased: false).data<double>().ToArray();
        Assert.All(mean, m => Assert.InRange(m, -1e-5, 1e-5));
        Assert.All(std, s => Assert.InRange(s, 1 - 1e-5, 1 + 1e-5));
    }

    [Fact]
    public void NormalizationIsThePopulationMeanAndStdOfEachChannel()
    {
        var norm = Normalization.Compute(new IndexedImages(count: 4));
        // Channel 0 holds (6i + j)/1000 for i < 4, j < 3; channel 1 the same plus 3/1000.
        var channel0 = Enumerable.Range(0, 4).SelectMany(i => Enumerable.Range(0, 3).Select(j => (6 * i + j) / 1000.0)).ToArray();
        double mean = channel0.Average();
        double std = Math.Sqrt(channel0.Select(v => (v - mean) * (v - mean)).Average());
        Assert.Equal(mean, norm.Mean[0], 1e-6);
        Assert.Equal(mean + 0.003, norm.Mean[1], 1e-6);
        Assert.Equal(std, norm.Std[0], 1e-6);
        Assert.Equal(std, norm.Std[1], 1e-6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void BatchesBelongToTheCallersDisposeScope(int prefetch)
    {
        using var loader = new BatchLoader(new IndexedImages(), 4, Identity, CPU, prefetch: prefetch);
        Tensor x, y;
        using (NewDisposeScope())
            (x, y) = loader.Next();
        Assert.True(x.IsInvalid);
        Assert.True(y.IsInvalid);
    }

    [Fact]
    public void AFailureWhilePrefetchingSurfacesInNext()
    {
        using var loader = new BatchLoader(new IndexedImages(failAt: 10), 4, Identity, CPU, shuffle: false, prefetch: 2);
        Take(loader, 2);
        var e = Assert.Throws<InvalidInputException>(() => loader.Next());
        Assert.Equal("example 10 is broken", e.Message);
    }

    [Fact]
    public void DisposedLoaderRefusesFurtherBatches()
    {
        var loader = new BatchLoader(new IndexedImages(), 4, Identity, CPU, prefetch: 2);
        Take(loader, 1);
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.Next());
    }

    [Fact]
    public void BatchLargerThanTheDataIsRejectedWhenPartialBatchesAreDropped()
    {
        var e = Assert.Throws<InvalidInputException>(() => new BatchLoader(new IndexedImages(), 24, Identity, CPU));
        Assert.Contains("23 examples of indexed", e.Message);
    }
}
