using System.Text.Json.Serialization;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>Where a sweep point stands, read from its run folder.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SweepPointState>))]
public enum SweepPointState
{
    /// <summary>No run yet (no manifest.json).</summary>
    Pending,
    /// <summary>Started and not ended: in progress (status "running" or none).</summary>
    Running,
    /// <summary>Its process is gone without a final status (killed, or aborted natively); resumable from its checkpoint.</summary>
    Interrupted,
    /// <summary>All steps done.</summary>
    Finished,
    /// <summary>Stopped by an error or interrupted; resumable from its checkpoint.</summary>
    Failed,
    /// <summary>The loss became non-finite: a result, not rerun.</summary>
    Diverged,
}

/// <summary>What a sweep does with a point.</summary>
public enum SweepAction
{
    /// <summary>Finished (with at least the requested steps) or diverged: nothing to do.</summary>
    Skip,
    /// <summary>No checkpoint: train from step 0 (<c>nmech train ... --out DIR</c>).</summary>
    Start,
    /// <summary>
    /// A checkpoint exists and the run is unfinished, or finished with fewer steps than now
    /// requested: continue it (<c>nmech train --resume DIR --steps N</c>).
    /// </summary>
    Resume,
}

/// <summary>One grid point: its values, its run folder (<c>SWEEP_DIR/Name</c>) and the run it stands for.</summary>
/// <param name="Index">Position in the grid (the Slurm array task id).</param>
/// <param name="Name">Folder name, e.g. <c>lr=0.1_wd=0.0001_momentum=0.9</c>.</param>
/// <param name="Values">The grid values, in axis order.</param>
/// <param name="Config">The base configuration with these values; <see cref="RunSpec.OutDir"/> is the point's folder.</param>
/// <param name="SpecPath">Where the sweep writes <paramref name="Config"/> for <c>nmech train --spec</c> (<c>SWEEP_DIR/specs/NAME.json</c>).</param>
public sealed record SweepPoint(int Index, string Name, IReadOnlyList<(string Key, double Value)> Values, RunSpec Config, string SpecPath)
{
    /// <summary>The run folder.</summary>
    public string Dir => Config.OutDir;

    /// <summary>The state of the run in <see cref="Dir"/>.</summary>
    /// <exception cref="InvalidInputException">status.json is malformed.</exception>
    public SweepPointState State()
    {
        if (!File.Exists(Path.Combine(Dir, TrajectorySchema.ManifestFile))) return SweepPointState.Pending;
        return RunDirectory.Open(Dir).ReadStatus()?.State switch
        {
            RunState.Finished => SweepPointState.Finished,
            RunState.Failed => SweepPointState.Failed,
            RunState.Diverged => SweepPointState.Diverged,
            RunState.Interrupted => SweepPointState.Interrupted,
            _ => SweepPointState.Running,
        };
    }

    /// <summary>What running the sweep does with this point now.</summary>
    public SweepAction NextAction()
    {
        var state = State();
        if (state == SweepPointState.Diverged) return SweepAction.Skip;
        if (state == SweepPointState.Finished)
            return Config.Steps > RunDirectory.Open(Dir).Manifest.Steps ? SweepAction.Resume : SweepAction.Skip;
        return File.Exists(Path.Combine(Dir, TrajectorySchema.CheckpointFile)) ? SweepAction.Resume : SweepAction.Start;
    }

    /// <summary>
    /// Steps to resume to: the requested number, never fewer than the run already has
    /// (with epochs instead of steps, the run's own).
    /// </summary>
    public long ResumeSteps() => Math.Max(Config.Steps ?? 0, RunDirectory.Open(Dir).Manifest.Steps);
}
