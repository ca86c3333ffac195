using System.Diagnostics;
using TorchSharp;

namespace NeuralMechanics.Bench;

/// <summary>
/// An imported network's untracked step against the zoo's same network, the two taking turns step by
/// step in one process (the order swapped every step), so load from other processes falls on both
/// alike: the ratio the rows of the main tables cannot give, since they time each network in its own
/// stretch of minutes.
/// </summary>
/// <param name="Zoo">The zoo's workload.</param>
/// <param name="ZooMilliseconds">The zoo's mean step per window.</param>
/// <param name="ImportedMilliseconds">The imported network's mean step per window.</param>
public sealed record ImportedPair(Workload Zoo, double[] ZooMilliseconds, double[] ImportedMilliseconds)
{
    /// <summary>Imported over zoo, one ratio per window (paired).</summary>
    public double[] Ratios() => Statistics.PairedRatios(ImportedMilliseconds, ZooMilliseconds);

    /// <summary>Times <paramref name="windows"/> windows of <paramref name="stepsPerWindow"/> steps of each network.</summary>
    public static ImportedPair Measure(Workload zoo, string onnxFile, torch.Device device, int windows, int stepsPerWindow, string scratch, Action<string>? log = null)
    {
        var runs = new[]
        {
            new BenchRun(zoo, Variant.Untracked, device, Path.Combine(scratch, $"{zoo.PyTorchKey}-pair-zoo")),
            new BenchRun(Workload.Imported(zoo, onnxFile), Variant.Untracked, device, Path.Combine(scratch, $"{zoo.PyTorchKey}-pair-onnx")),
        };
        try
        {
            foreach (var r in runs) r.Run(10);
            var ms = new[] { new double[windows], new double[windows] };
            for (int w = 0; w < windows; w++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var elapsed = new long[2];
                for (int s = 0; s < stepsPerWindow; s++)
                    foreach (int i in (w + s) % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
                    {
                        long start = Stopwatch.GetTimestamp();
                        runs[i].Run(1);
                        elapsed[i] += Stopwatch.GetTimestamp() - start;
                    }
                for (int i = 0; i < 2; i++) ms[i][w] = elapsed[i] * 1000.0 / Stopwatch.Frequency / stepsPerWindow;
                log?.Invoke($"  {zoo.Label} pair, window {w + 1}: zoo {ms[0][w]:0.00} ms, imported {ms[1][w]:0.00} ms");
            }
            return new ImportedPair(zoo, ms[0], ms[1]);
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
    }

    /// <summary>A Markdown table of <paramref name="pairs"/>: medians and the paired ratio's median and range.</summary>
    public static string ToMarkdown(IReadOnlyList<ImportedPair> pairs, string machine, string? loadBefore, string? loadAfter)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"Imported against the zoo's network, untracked steps taking turns in one process ({machine}; load average {loadBefore ?? "?"} before, {loadAfter ?? "?"} after).");
        sb.AppendLine();
        sb.AppendLine("| network | windows × steps | zoo (ms) | imported (ms) | imported / zoo (median, min–max) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var p in pairs)
        {
            var r = p.Ratios();
            sb.AppendLine(FormattableString.Invariant(
                $"| {p.Zoo.Label} | {p.ZooMilliseconds.Length} | {OrderStatistics.Median(p.ZooMilliseconds):0.0} | {OrderStatistics.Median(p.ImportedMilliseconds):0.0} | {OrderStatistics.Median(r):0.000} ({r.Min():0.00}–{r.Max():0.00}) |"));
        }
        return sb.ToString();
    }
}
