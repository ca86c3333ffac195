using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Data;

/// <summary>
/// Normalized mini-batches on a device: an endless, seeded, resumable stream for training
/// (<see cref="Next"/>, <see cref="Seek"/>) and an in-order pass for evaluation
/// (<see cref="OneEpoch"/>). With <c>prefetch</c> &gt; 0 the next batches are assembled on a
/// background thread; the stream is the same either way. On CUDA the host batch is pinned and
/// copied without blocking.
/// </summary>
public sealed class BatchLoader : IBatchSource, IDisposable
{
    private readonly ImageDataSet data;
    private readonly int batchSize, prefetch;
    private readonly Normalization norm;
    private readonly Device device;
    private readonly EpochOrder order;
    private Prefetcher<HostBatch>? prefetcher;
    private bool disposed;

    /// <param name="data">Examples to draw from.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="norm">Per-channel statistics, one entry per channel of <paramref name="data"/>.</param>
    /// <param name="device">Where the batches go.</param>
    /// <param name="shuffle">Reshuffle every epoch (<see cref="Next"/> only).</param>
    /// <param name="seed">Seed of the epoch permutations.</param>
    /// <param name="dropLast">Drop each epoch's partial last batch in <see cref="Next"/>.</param>
    /// <param name="prefetch">Batches prepared ahead on a background thread; 0 builds on demand.</param>
    public BatchLoader(ImageDataSet data, int batchSize, Normalization norm, Device device, bool shuffle = true, long seed = 0, bool dropLast = true, int prefetch = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        if (norm.Mean.Length != data.Channels)
            throw new ArgumentException($"normalization has {norm.Mean.Length} channels, {data.Name} has {data.Channels}");
        if (data.Count == 0 || (dropLast && batchSize > data.Count))
            throw new InvalidInputException($"batch size: expected at most the {data.Count} examples of {data.Name}, found {batchSize}");
        this.data = data;
        this.batchSize = batchSize;
        this.norm = norm;
        this.device = device;
        this.prefetch = prefetch;
        order = new EpochOrder(data.Count, batchSize, shuffle, seed, dropLast);
    }

    /// <summary>Batches in one epoch of <see cref="Next"/>.</summary>
    public int BatchesPerEpoch => order.BatchesPerEpoch;

    /// <summary>Number of batches handed out by <see cref="Next"/> so far, across epochs.</summary>
    public long Position { get; private set; }

    /// <summary>Resume: the next <see cref="Next"/> returns what an uninterrupted loader returns at <paramref name="position"/>.</summary>
    public void Seek(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ObjectDisposedException.ThrowIf(disposed, this);
        prefetcher?.Dispose();
        prefetcher = null;
        Position = position;
    }

    /// <summary>
    /// The next batch of the endless stream: X float32 [B,C,H,W] normalized, Y int64 [B], on the
    /// device, attached to the caller's dispose scope.
    /// </summary>
    public (Tensor X, Tensor Y) Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        HostBatch batch;
        if (prefetch == 0)
            batch = Assemble(order.Batch(Position));
        else
        {
            prefetcher ??= new Prefetcher<HostBatch>(p => Assemble(order.Batch(p)), Position, prefetch);
            batch = prefetcher.Take();
        }
        Position++;
        return ToDevice(batch);
    }

    /// <summary>All examples in order, no shuffle, the last partial batch kept; for evaluation.</summary>
    public IEnumerable<(Tensor X, Tensor Y)> OneEpoch()
    {
        var indices = new int[batchSize];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            int n = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < n; i++) indices[i] = start + i;
            yield return ToDevice(Assemble(indices.AsSpan(0, n)));
        }
    }

    /// <summary>Stops the prefetch thread and frees the batches it had prepared.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        prefetcher?.Dispose();
        prefetcher = null;
    }

    /// <summary>A batch on the host, owned by nobody's dispose scope until handed out.</summary>
    private readonly record struct HostBatch(Tensor X, Tensor Y) : IDisposable
    {
        public void Dispose()
        {
            X.Dispose();
            Y.Dispose();
        }
    }

    /// <summary>Reads, normalizes and packs the examples; pinned when bound for CUDA. Runs on either thread.</summary>
    private HostBatch Assemble(ReadOnlySpan<int> indices)
    {
        int n = indices.Length, size = data.ImageSize, plane = data.Height * data.Width;
        var x = new float[n * size];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            var image = x.AsSpan(i * size, size);
            data.ReadImage(indices[i], image);
            for (int c = 0; c < data.Channels; c++)
            {
                float mean = norm.Mean[c], std = norm.Std[c];
                foreach (ref var v in image.Slice(c * plane, plane))
                    v = (v - mean) / std;
            }
            y[i] = data.Label(indices[i]);
        }
        using var scope = NewDisposeScope();
        var X = tensor(x, [n, data.Channels, data.Height, data.Width]);
        var Y = tensor(y, [n]);
        if (device.type == DeviceType.CUDA)
        {
            X = X.pin_memory();
            Y = Y.pin_memory();
        }
        scope.Detach(X, Y);
        return new HostBatch(X, Y);
    }

    private (Tensor X, Tensor Y) ToDevice(HostBatch batch)
    {
        if (device.type == DeviceType.CPU)
        {
            CurrentDisposeScope?.Attach([batch.X, batch.Y]);
            return (batch.X, batch.Y);
        }
        using (batch)
            return (batch.X.to(device, non_blocking: true), batch.Y.to(device, non_blocking: true));
    }
}
