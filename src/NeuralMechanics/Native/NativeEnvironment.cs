using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralMechanics;

/// <summary>
/// Settings of libtorch's CPU libraries that must be in the C environment before their first use.
/// A value the user set is always kept.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>
    /// MKL otherwise picks kernels by the memory alignment of each call's arrays, so two runs of one
    /// configuration, or a run and its resumption in another process, differ in the last bits.
    /// </summary>
    public const string MklReproducibility = "MKL_CBWR", MklReproducibilityValue = "AUTO,STRICT";

    /// <summary>oneDNN's instruction-set cap (see <see cref="PrepareConvolutions"/>).</summary>
    public const string OneDnnIsa = "ONEDNN_MAX_CPU_ISA", OneDnnIsaAvx2 = "AVX2";

    private static int applied;
    private static bool? oneDnnCapped;
    private static readonly object oneDnnLock = new();

    /// <summary>Sets MKL's conditional numerical reproducibility; once per process, when this assembly loads and from <c>nmech</c>'s entry.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before libtorch first calls MKL, whoever calls first")]
    public static void Apply()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return;
        SetIfUnset(MklReproducibility, MklReproducibilityValue);
    }

    /// <summary>
    /// Chooses oneDNN's instruction set before the process's first convolution, from the channel
    /// counts of the convolutions about to run. libtorch 2.10's oneDNN AVX-512 kernels store
    /// channels in blocks of 16, and with a count that is not a multiple of 16 they sometimes
    /// return non-finite weight gradients (first convolution of a VGG at width 1/8 or 1/16: about
    /// one process in eight and one in three on an AVX-512 AMD EPYC, single-threaded too, never
    /// with 16 or more channels per block). Such models get oneDNN capped at AVX2, whose kernels
    /// were right in every trial and are no slower at these widths; others keep AVX-512, which
    /// runs a 16-channel VGG twice as fast. oneDNN reads the cap once, so the first call decides.
    /// </summary>
    /// <param name="channels">Output channels of every convolution of the model.</param>
    /// <returns>A warning when the cap is needed but cannot be set (decided earlier in this process, or the user's own value); else null.</returns>
    public static string? PrepareConvolutions(IEnumerable<long> channels)
    {
        var list = channels.ToList();
        if (list.Count == 0) return null;
        bool needsCap = list.Any(c => c % 16 != 0);
        lock (oneDnnLock)
        {
            string? user = Environment.GetEnvironmentVariable(OneDnnIsa);
            if (oneDnnCapped is null && user is null)
            {
                if (needsCap) SetIfUnset(OneDnnIsa, OneDnnIsaAvx2);
                oneDnnCapped = needsCap;
                return null;
            }
            oneDnnCapped ??= user is not null && user.Equals(OneDnnIsaAvx2, StringComparison.OrdinalIgnoreCase);
            if (!needsCap || oneDnnCapped == true) return null;
            return $"convolution channels {string.Join(",", list.Where(c => c % 16 != 0).Distinct())} are not multiples of 16 and oneDNN runs uncapped in this process "
                + $"({OneDnnIsa}={user ?? "unset, decided by an earlier model"}): its AVX-512 kernels can return non-finite gradients for them; "
                + $"start a fresh process, or set {OneDnnIsa}={OneDnnIsaAvx2}";
        }
    }

    /// <summary>Output channels of every convolution inside <paramref name="network"/>, however deeply nested (for <see cref="PrepareConvolutions"/>).</summary>
    public static IReadOnlyList<long> ConvolutionChannels(TorchSharp.torch.nn.Module network) =>
        [.. network.modules().OfType<TorchSharp.Modules.Convolution>().Select(c => c.out_channels)];

    private static void SetIfUnset(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null) return;
        Environment.SetEnvironmentVariable(name, value);
        // .NET keeps its own copy of the environment on Unix; MKL and oneDNN read the C library's.
        if (!OperatingSystem.IsWindows()) SetEnv(name, value, 0);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);
}
