using System.Diagnostics;
using TorchSharp;

namespace NeuralMechanics.Bench;

/// <summary>Per-step times of every variant of one workload, one value per window (milliseconds).</summary>
/// <param name="Workload">What was timed.</param>
/// <param name="Groups">Symmetry groups the tracker follows.</param>
/// <param name="WindowSteps">Steps each variant runs per window.</param>
/// <param name="ChunkSteps">Steps a variant runs before the next variant's turn.</param>
/// <param name="Milliseconds">Per variant: its mean step time in each window.</param>
/// <param name="PyTorch">Plain PyTorch's mean step time in a window of its own after each window, or null when not timed.</param>
/// <param name="Parameters">Our model's parameter count.</param>
/// <param name="PyTorchParameters">The PyTorch twin's parameter count, or null when not timed.</param>
/// <param name="PyTorchChannelsLast">Plain PyTorch in channels-last memory, a window after PyTorch's, or null.</param>
public sealed record StepTimings(Workload Workload, long Groups, int WindowSteps, int ChunkSteps, IReadOnlyDictionary<Variant, double[]> Milliseconds,
    double[]? PyTorch = null, long Parameters = 0, long? PyTorchParameters = null, double[]? PyTorchChannelsLast = null)
{
    /// <summary>Ratios of the untracked step to plain PyTorch's, one per window (paired), or null.</summary>
    public double[]? PyTorchRatios() => PyTorch is null ? null : Statistics.PairedRatios(Milliseconds[Variant.Untracked], PyTorch);

    /// <summary>Ratios of the untracked step to plain PyTorch's in channels-last memory, one per window (paired), or null.</summary>
    public double[]? PyTorchChannelsLastRatios() =>
        PyTorchChannelsLast is null ? null : Statistics.PairedRatios(Milliseconds[Variant.Untracked], PyTorchChannelsLast);

    /// <summary>Median step time of <paramref name="variant"/>.</summary>
    public double Median(Variant variant) => OrderStatistics.Median(Milliseconds[variant]);

    /// <summary>Ratios to the untracked step, one per window (paired within the window).</summary>
    public double[] Ratios(Variant variant) => Statistics.PairedRatios(Milliseconds[variant], Milliseconds[Variant.Untracked]);

    /// <summary>
    /// Times every variant of <paramref name="workload"/>. Each variant has its own model (same
    /// seed); after a warm-up they take turns, <paramref name="chunkSteps"/> steps at a time in an
    /// order rotated every turn, so load from other processes falls on all of them alike. A window
    /// is a multiple of 50 steps per variant (every window holds the same share of neuron-logging
    /// steps) lasting about <paramref name="windowSeconds"/>. Rows are written as in a training
    /// run: added in the step, stored as Parquet parts on a background thread every 65,536 rows or 30 s.
    /// With <paramref name="pytorch"/>, plain PyTorch runs a window of the same workload of about the
    /// same length after each of nmech's.
    /// </summary>
    public static StepTimings Measure(Workload workload, torch.Device device, int windows, double windowSeconds, int chunkSteps,
        string scratch, Action<string>? log = null, PyTorchTimings? pytorch = null)
    {
        if (Variants.SparseLogEvery % chunkSteps != 0) throw new ArgumentException($"chunks of {chunkSteps} steps do not divide {Variants.SparseLogEvery}");
        var variants = Enum.GetValues<Variant>();
        var sessions = variants.Select(v => new BenchRun(workload, v, device, Path.Combine(scratch, $"{workload.Model}-{v}"))).ToArray();
        try
        {
            // Warm-up: the first steps allocate buffers, start the predictors and let the JIT and libtorch settle.
            int warmup = Math.Max(chunkSteps, 10);
            foreach (var s in sessions) s.Run(warmup);
            var probe = Stopwatch.StartNew();
            foreach (var s in sessions) s.Run(chunkSteps);
            double stepSeconds = probe.Elapsed.TotalSeconds / (sessions.Length * chunkSteps);
            int windowSteps = Variants.SparseLogEvery * Math.Max(1, (int)Math.Round(windowSeconds / (stepSeconds * Variants.SparseLogEvery)));
            log?.Invoke($"{workload.Label}: ~{stepSeconds * 1000:0.0} ms/step; {windows} windows of {windowSteps} steps per variant, turns of {chunkSteps}");

            var times = variants.ToDictionary(v => v, _ => new double[windows]);
            double[]? reference = pytorch is null ? null : new double[windows];
            string? channelsLastKey = pytorch is null ? null : workload.PyTorchChannelsLastKey;
            double[]? channelsLast = channelsLastKey is null ? null : new double[windows];
            int referenceSteps = 0, channelsLastSteps = 0;
            long? pytorchParameters = null;
            if (pytorch is not null)
            {
                double probeMs = pytorch.Window(workload.PyTorchKey, Math.Max(2, chunkSteps));
                referenceSteps = Math.Max(2, (int)Math.Round(windowSeconds * 1000 / probeMs));
                pytorchParameters = pytorch.Parameters(workload.PyTorchKey);
                log?.Invoke($"  plain PyTorch: ~{probeMs:0.0} ms/step; windows of {referenceSteps} steps; parameters: ours {sessions[0].Parameters:N0}, PyTorch {pytorchParameters:N0}");
                if (channelsLastKey is not null)
                {
                    double clMs = pytorch.Window(channelsLastKey, Math.Max(2, chunkSteps));
                    channelsLastSteps = Math.Max(2, (int)Math.Round(windowSeconds * 1000 / clMs));
                    log?.Invoke($"  plain PyTorch, channels-last: ~{clMs:0.0} ms/step; windows of {channelsLastSteps} steps");
                }
            }
            long turn = 0;
            for (int w = 0; w < windows; w++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var elapsed = new long[variants.Length];
                for (int done = 0; done < windowSteps; done += chunkSteps, turn++)
                    foreach (int v in Statistics.Rotation(variants.Length, (int)(turn % variants.Length)))
                    {
                        long start = Stopwatch.GetTimestamp();
                        sessions[v].Run(chunkSteps);
                        elapsed[v] += Stopwatch.GetTimestamp() - start;
                    }
                for (int v = 0; v < variants.Length; v++)
                    times[variants[v]][w] = elapsed[v] * 1000.0 / Stopwatch.Frequency / windowSteps;
                if (reference is not null) reference[w] = pytorch!.Window(workload.PyTorchKey, referenceSteps);
                if (channelsLast is not null) channelsLast[w] = pytorch!.Window(channelsLastKey!, channelsLastSteps);
                log?.Invoke($"  window {w + 1}: " + string.Join(", ", variants.Select(v => $"{v} {times[v][w]:0.00} ms")) +
                    (reference is null ? "" : $", PyTorch {reference[w]:0.00} ms") + (channelsLast is null ? "" : $", channels-last {channelsLast[w]:0.00} ms"));
            }
            return new StepTimings(workload, sessions[0].Analysis.Total, windowSteps, chunkSteps, times, reference,
                sessions[0].Parameters, pytorchParameters, channelsLast);
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
    }
}
