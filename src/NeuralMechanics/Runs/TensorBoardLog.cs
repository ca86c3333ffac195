using TorchSharp;
using TorchSharp.Modules;

namespace NeuralMechanics.Runs;

/// <summary>
/// Scalar curves for TensorBoard (<c>tensorboard --logdir RUN/tensorboard</c>), written with
/// TorchSharp's <see cref="SummaryWriter"/>. Each call appends one event to the file (the writer
/// opens and closes it per event), so log at the metrics cadence, not per group.
/// </summary>
internal sealed class TensorBoardLog
{
    private readonly SummaryWriter writer;

    /// <summary>Starts a new event file in <paramref name="folder"/> (created if needed); a resumed run adds a second file, which TensorBoard merges.</summary>
    public TensorBoardLog(string folder)
    {
        Directory.CreateDirectory(folder);
        Folder = folder;
        writer = torch.utils.tensorboard.SummaryWriter(folder);
    }

    /// <summary>The event folder.</summary>
    public string Folder { get; }

    /// <summary>Appends the value of curve <paramref name="tag"/> (e.g. "train/loss") at <paramref name="step"/>.</summary>
    /// <remarks>TorchSharp's writer stores the value as a float, the step as an int and the wall time in whole seconds.</remarks>
    public void AddScalar(string tag, double value, long step)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, int.MaxValue);
        writer.add_scalar(tag, (float)value, (int)step);
    }
}
