using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralMechanics.Runs;

/// <summary>State of a run in <c>status.json</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    /// <summary>Training is in progress in the process named in the status.</summary>
    Running,
    /// <summary>
    /// Stopped before its end and resumable: cancelled (Ctrl-C, a <see cref="CancellationToken"/>; written,
    /// with a checkpoint at that step), or what <see cref="RunDirectory.ReadStatus"/> reports for a status
    /// that says running while the process it names is gone from this machine (killed, or aborted natively).
    /// Its rows up to the last part and its last checkpoint are kept: continue it with --resume.
    /// </summary>
    Interrupted,
    /// <summary>All steps done.</summary>
    Finished,
    /// <summary>Stopped by an error (<see cref="RunStatus.Reason"/>).</summary>
    Failed,
    /// <summary>The loss became non-finite at <see cref="RunStatus.Step"/>.</summary>
    Diverged,
}

/// <summary>
/// Contents of <c>status.json</c>: <c>{"state": "running" | "interrupted" | "finished" | "failed" | "diverged", ...}</c>,
/// rewritten atomically at every change of state.
/// </summary>
public sealed record RunStatus
{
    /// <summary>Where the run stands.</summary>
    public required RunState State { get; init; }
    /// <summary>Why it failed or was interrupted (failed and interrupted only).</summary>
    public string? Reason { get; init; }
    /// <summary>The step at which the loss diverged (diverged only).</summary>
    public long? Step { get; init; }
    /// <summary>The non-finite loss at that step (diverged only).</summary>
    public double? Loss { get; init; }
    /// <summary>When this status was written.</summary>
    public DateTimeOffset Updated { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The process that runs the training (running only).</summary>
    public RunProcess? Process { get; init; }
    /// <summary>The result of a finished run.</summary>
    public RunOutcome? Outcome { get; init; }

    /// <summary>Training has started in this process.</summary>
    public static RunStatus Running() => new() { State = RunState.Running, Process = RunProcess.Current() };
    /// <summary>Training completed.</summary>
    public static RunStatus Finished(RunOutcome? outcome = null) => new() { State = RunState.Finished, Outcome = outcome };
    /// <summary>Training was stopped on request (cancelled) and can be resumed.</summary>
    public static RunStatus Interrupted(string reason) => new() { State = RunState.Interrupted, Reason = reason };
    /// <summary>Training stopped on an error.</summary>
    public static RunStatus Failed(string reason) => new() { State = RunState.Failed, Reason = reason };
    /// <summary>The loss at <paramref name="step"/> was not finite.</summary>
    public static RunStatus Diverged(long step, double loss) => new() { State = RunState.Diverged, Step = step, Loss = loss };

    /// <summary>
    /// This status as seen now: a running status whose process is gone from this machine is
    /// <see cref="RunState.Interrupted"/>; one from another machine (a cluster node) is taken as it is.
    /// </summary>
    public RunStatus Observed() =>
        State == RunState.Running && Process is { } p && p.IsOnThisMachine && !p.IsAlive
            ? this with { State = RunState.Interrupted, Reason = $"the process {p.Id} that ran it is gone (killed or aborted); its data up to the last checkpoint is kept" }
            : this;

    /// <summary>JSON options of <c>status.json</c>: snake_case names, lower-case states, NaN allowed, nulls omitted.</summary>
    public static readonly JsonSerializerOptions Json = new(RunManifest.Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter<RunState>(JsonNamingPolicy.SnakeCaseLower) },
    };
}

/// <summary>What a finished run reached, for reports and sweep tables that do not read its tables.</summary>
/// <param name="Steps">Updates made.</param>
/// <param name="FinalLoss">Training loss of the last step's batch.</param>
/// <param name="FinalAccuracy">Training accuracy of the last step's batch.</param>
/// <param name="TestAccuracy">Accuracy on the test split after the last step (eval mode).</param>
/// <param name="StepsPerSecond">Training speed of the last (or only) process that ran it.</param>
/// <param name="Seconds">Wall-clock seconds of that process's training loop.</param>
public sealed record RunOutcome(long Steps, double FinalLoss, double FinalAccuracy, double TestAccuracy, double StepsPerSecond, double Seconds);

/// <summary>The process that writes a running status: enough to tell later whether it still exists.</summary>
/// <param name="Id">Process id.</param>
/// <param name="Host">Machine name.</param>
/// <param name="Started">When the process started (a reused id has another start time).</param>
public sealed record RunProcess(int Id, string Host, DateTimeOffset Started)
{
    /// <summary>The calling process.</summary>
    public static RunProcess Current()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new RunProcess(self.Id, Environment.MachineName, new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>Whether it was started on this machine (only then can <see cref="IsAlive"/> be known).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOnThisMachine => Host == Environment.MachineName;

    /// <summary>Whether a process with this id and start time exists on this machine.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAlive
    {
        get
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(Id);
                if (p.HasExited) return false;
                // Start times are read to the clock tick of /proc; a second apart is another process.
                return Math.Abs((p.StartTime.ToUniversalTime() - Started.UtcDateTime).TotalSeconds) < 1;
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
    }
}
