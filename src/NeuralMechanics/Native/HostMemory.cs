using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace NeuralMechanics;

/// <summary>
/// Zero-copy views of CPU tensors' memory, for host code that reads every element once (the
/// tracker's per-unit sums): no native call per element, no copy, no tensor made. The view is
/// valid while the tensor's storage lives and nothing writes it; the caller keeps the tensor alive.
/// </summary>
internal static class HostMemory
{
    /// <summary>
    /// The elements of <paramref name="tensor"/> in row-major order, in place; false (and an empty
    /// span) when it is null, not on the CPU, not float32, not contiguous or over 2 GiB.
    /// </summary>
    public static bool TryGetSingles(Tensor? tensor, out ReadOnlySpan<float> values)
    {
        bool ok = TryGetWritableSingles(tensor, out var writable);
        values = writable;
        return ok;
    }

    /// <summary>
    /// <see cref="TryGetSingles"/>'s view, writable: for host code that updates a tensor in place
    /// (the SGD update). Nothing else may read or write the tensor meanwhile.
    /// </summary>
    public static bool TryGetWritableSingles(Tensor? tensor, out Span<float> values)
    {
        values = default;
        if (tensor is null || tensor.device_type != TorchSharp.DeviceType.CPU || tensor.dtype != ScalarType.Float32) return false;
        if (tensor.numel() > int.MaxValue / sizeof(float) || !tensor.is_contiguous()) return false;
        values = MemoryMarshal.Cast<byte, float>(tensor.bytes);
        return true;
    }

    /// <summary>
    /// The elements of a float64 CPU tensor, writable, in place (the matrix charges' predictions,
    /// advanced on the host); false when it is null, not on the CPU, not float64, not contiguous or over 2 GiB.
    /// </summary>
    public static bool TryGetWritableDoubles(Tensor? tensor, out Span<double> values)
    {
        values = default;
        if (tensor is null || tensor.device_type != TorchSharp.DeviceType.CPU || tensor.dtype != ScalarType.Float64) return false;
        if (tensor.numel() > int.MaxValue / sizeof(double) || !tensor.is_contiguous()) return false;
        values = MemoryMarshal.Cast<byte, double>(tensor.bytes);
        return true;
    }
}
