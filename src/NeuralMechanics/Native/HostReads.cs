using static TorchSharp.torch;

namespace NeuralMechanics;

/// <summary>
/// The one way per-step values come back from the device as arrays, counted. On CUDA each such
/// read waits for the queue to drain, so a training loop that reads every step stalls the GPU
/// every step; the counters make "at most one read every K steps" testable on the CPU.
/// </summary>
internal static class HostReads
{
    private static long total;

    [ThreadStatic]
    private static long onThisThread;

    /// <summary>Reads made by every thread since the process started.</summary>
    public static long Total => Interlocked.Read(ref total);

    /// <summary>Reads made by the calling thread (tests count their own reads while others run in parallel).</summary>
    public static long OnThisThread => onThisThread;

    /// <summary>Counts one read made elsewhere (<see cref="TensorValues"/>' single values).</summary>
    internal static void Count()
    {
        Interlocked.Increment(ref total);
        onThisThread++;
    }

    /// <summary>The values of <paramref name="tensor"/> (any shape, any device, float64) in row-major order, in one copy.</summary>
    public static double[] ToDoubles(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float64) throw new ArgumentException($"expected a float64 tensor, found {tensor.dtype}", nameof(tensor));
        Interlocked.Increment(ref total);
        onThisThread++;
        using var scope = NewDisposeScope();
        return tensor.contiguous().cpu().data<double>().ToArray();
    }
}
