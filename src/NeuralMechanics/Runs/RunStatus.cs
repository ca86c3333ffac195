using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralMechanics.Runs;

/// <summary>State of a run in <c>status.json</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    /// <summary>Training is in progress (or the process was killed: no later status was written).</summary>
    Running,
    /// <summary>All steps done.</summary>
    Finished,
    /// <summary>Stopped by an error (<see cref="RunStatus.Reason"/>).</summary>
    Failed,
    /// <summary>The loss became non-finite at <see cref="RunStatus.Step"/>.</summary>
    Diverged,
}

/// <summary>
/// Contents of <c>status.json</c>: <c>{"state": "running" | "finished" | "failed" | "diverged", ...}</c>,
/// rewritten atomically at every change of state.
/// </summary>
public sealed record RunStatus
{
    /// <summary>Where the run stands.</summary>
    public required RunState State { get; init; }
    /// <summary>Why it failed (failed only).</summary>
    public string? Reason { get; init; }
    /// <summary>The step at which the loss diverged (diverged only).</summary>
    public long? Step { get; init; }
    /// <summary>The non-finite loss at that step (diverged only).</summary>
    public double? Loss { get; init; }
    /// <summary>When this status was written.</summary>
    public DateTimeOffset Updated { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Training has started.</summary>
    public static RunStatus Running() => new() { State = RunState.Running };
    /// <summary>Training completed.</summary>
    public static RunStatus Finished() => new() { State = RunState.Finished };
    /// <summary>Training stopped on an error.</summary>
    public static RunStatus Failed(string reason) => new() { State = RunState.Failed, Reason = reason };
    /// <summary>The loss at <paramref name="step"/> was not finite.</summary>
    public static RunStatus Diverged(long step, double loss) => new() { State = RunState.Diverged, Step = step, Loss = loss };

    /// <summary>JSON options of <c>status.json</c>: snake_case names, lower-case states, NaN allowed, nulls omitted.</summary>
    public static readonly JsonSerializerOptions Json = new(RunManifest.Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter<RunState>(JsonNamingPolicy.SnakeCaseLower) },
    };
}
