using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// Removes BatchNorm's <c>num_batches_tracked</c> buffer where it changes nothing.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's BatchNorm.forward increments that buffer with <c>add_(1)</c>, whose implicit
/// <see cref="TorchSharp.Scalar"/> nothing keeps alive during the native call: a garbage
/// collection started by another thread (batch prefetch, Parquet writer) can finalize it midway,
/// and libtorch then aborts the process with "Unknown scalar type" (seen once in ~25,000 BatchNorm
/// calls). The counter only matters for cumulative averaging (momentum null); with a fixed
/// momentum the running statistics are the same without it, so it is dropped there.
/// </remarks>
internal static class BatchNormCounter
{
    /// <summary>Drops the counter from every BatchNorm with a fixed momentum in <paramref name="network"/>; returns how many.</summary>
    public static int RemoveUnused(nn.Module network)
    {
        int removed = 0;
        // TorchSharp's modules() leaves out the root itself.
        foreach (var module in network.modules().Prepend(network).Distinct())
        {
            if (module is BatchNorm bn && bn.momentum is not null && bn.num_batches_tracked is not null)
            {
                bn.num_batches_tracked = null;
                removed++;
            }
        }
        return removed;
    }
}
