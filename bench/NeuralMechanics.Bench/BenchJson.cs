using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralMechanics.Bench;

/// <summary>
/// The per-workload results in a form to compare across commits:
/// <c>{"workloads":[{"label","device","untracked_ms","tracked_ratio","tracked_every_step_ratio","sharpness_every16_ratio","pytorch_ms","pytorch_ratio","pytorch_channels_last_ms","pytorch_channels_last_ratio","parameters","pytorch_parameters"}]}</c>,
/// ratios the medians of the per-window ratios (<c>pytorch_ratio</c>: untracked over PyTorch's paired
/// windows), the <c>pytorch_</c> fields null when PyTorch (or its channels-last layout) was not timed.
/// </summary>
public static class BenchJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The JSON text of <paramref name="report"/>'s step timings.</summary>
    public static string Write(Report report)
    {
        var rows = report.Timings.Select(t => new Row(t.Workload.Label, report.Device, t.Median(Variant.Untracked),
            OrderStatistics.Median(t.Ratios(Variant.TrackedEvery50)), OrderStatistics.Median(t.Ratios(Variant.TrackedEveryStep)),
            OrderStatistics.Median(t.Ratios(Variant.SharpnessEvery16)),
            t.PyTorch is { } ms ? OrderStatistics.Median(ms) : null,
            t.PyTorchRatios() is { } ratios ? OrderStatistics.Median(ratios) : null,
            t.PyTorchChannelsLast is { } cl ? OrderStatistics.Median(cl) : null,
            t.PyTorchChannelsLastRatios() is { } clRatios ? OrderStatistics.Median(clRatios) : null,
            t.Parameters, t.PyTorchParameters)).ToList();
        return JsonSerializer.Serialize(new Document(rows), Options);
    }

    private sealed record Document([property: JsonPropertyName("workloads")] IReadOnlyList<Row> Workloads);

    private sealed record Row(
        [property: JsonPropertyName("label")] string Label,
        [property: JsonPropertyName("device")] string Device,
        [property: JsonPropertyName("untracked_ms")] double UntrackedMs,
        [property: JsonPropertyName("tracked_ratio")] double TrackedRatio,
        [property: JsonPropertyName("tracked_every_step_ratio")] double TrackedEveryStepRatio,
        [property: JsonPropertyName("sharpness_every16_ratio")] double SharpnessEvery16Ratio,
        [property: JsonPropertyName("pytorch_ms")] double? PyTorchMs,
        [property: JsonPropertyName("pytorch_ratio")] double? PyTorchRatio,
        [property: JsonPropertyName("pytorch_channels_last_ms")] double? PyTorchChannelsLastMs,
        [property: JsonPropertyName("pytorch_channels_last_ratio")] double? PyTorchChannelsLastRatio,
        [property: JsonPropertyName("parameters")] long Parameters,
        [property: JsonPropertyName("pytorch_parameters")] long? PyTorchParameters);
}
