using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The one way values measured during training come to the host: a quantity hands over a float64
/// tensor (any shape, on the training device) with what to do with its values, and they stay on the
/// device until one read (<see cref="HostReads"/>) brings every pending step's values together, in
/// the order they were handed over. On CUDA each read waits for the device's queue, so a session
/// reads every 50 steps there and at once on the CPU (<see cref="ReadEvery"/> = 1), where a read is a copy.
/// </summary>
/// <remarks>
/// Every quantity of a session shares one reader, so a chunk of steps costs one read however many
/// quantities there are. A run that stops at a step (a non-finite loss found in a read) calls
/// <see cref="StopAt"/>: values of that step and later are dropped unread.
/// </remarks>
public sealed class DeviceReader : IDisposable
{
    private readonly List<(long Step, Tensor Values, Action<double[]> OnHost)> pending = [];
    private long lastStep = long.MinValue;
    private int pendingSteps;
    private long stopAt = long.MaxValue;

    /// <summary>Distinct steps whose values wait on the device before a read (1: every step reads at once).</summary>
    public int ReadEvery
    {
        get;
        set => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ReadEvery), value, "expected at least 1 step");
    } = 1;

    /// <summary>Steps whose values wait on the device now.</summary>
    public int PendingSteps => pendingSteps;

    /// <summary>
    /// Keeps <paramref name="values"/> (float64; the reader takes them out of every dispose scope and
    /// disposes them) until the read that brings them to the host, then calls <paramref name="onHost"/>
    /// with them in row-major order. Reads at once when <see cref="ReadEvery"/> steps are pending.
    /// </summary>
    /// <param name="step">The step they belong to (steps are handed over in order).</param>
    /// <param name="values">The values, on the device.</param>
    /// <param name="onHost">Writes their rows (runs within <see cref="Flush"/>; it must not read itself).</param>
    public void Defer(long step, Tensor values, Action<double[]> onHost)
    {
        if (values.dtype != ScalarType.Float64) throw new ArgumentException($"expected a float64 tensor, found {values.dtype}", nameof(values));
        values.DetachFromDisposeScope();
        if (step >= stopAt)
        {
            values.Dispose();
            return;
        }
        if (step != lastStep)
        {
            pendingSteps++;
            lastStep = step;
        }
        pending.Add((step, values, onHost));
        if (pendingSteps >= ReadEvery) Flush();
    }

    /// <summary>Brings every pending value to the host in one read and hands each its values, in order.</summary>
    public void Flush()
    {
        if (pending.Count == 0) return;
        var entries = pending.ToArray();
        pending.Clear();
        pendingSteps = 0;
        lastStep = long.MinValue;
        var lengths = entries.Select(e => (int)e.Values.numel()).ToArray();
        double[] host;
        try
        {
            using var scope = NewDisposeScope();
            host = HostReads.ToDoubles(entries.Length == 1 ? entries[0].Values : cat(entries.Select(e => e.Values.view(-1)).ToArray(), 0));
        }
        finally
        {
            foreach (var e in entries) e.Values.Dispose();
        }
        int at = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i].Step < stopAt) entries[i].OnHost(host.AsSpan(at, lengths[i]).ToArray());
            at += lengths[i];
        }
    }

    /// <summary>Drops the values of <paramref name="step"/> and later, pending or to come: the run stopped there.</summary>
    public void StopAt(long step) => stopAt = Math.Min(stopAt, step);

    /// <summary>Disposes the values still pending, unread.</summary>
    public void Dispose()
    {
        foreach (var e in pending) e.Values.Dispose();
        pending.Clear();
    }
}
