namespace NeuralMechanics.Tracking;

/// <summary>
/// Something a training session measures at every step, after the backward pass and before the
/// update (θₙ, gₙ and the optimizer's buffers are in place), and writes to its own tables: the
/// symmetry groups (<see cref="SymmetryTracker"/>), the attention heads' matrix charges
/// (<see cref="MatrixCharges"/>). Values may stay on the device until <see cref="Flush"/>.
/// </summary>
public interface ITrackedQuantity
{
    /// <summary>Measures step <paramref name="step"/>; <paramref name="log"/> asks for the detailed (per-group, per-matrix) rows.</summary>
    void Observe(long step, bool log);

    /// <summary>Brings deferred values to the host and writes their rows (before a checkpoint and at the end).</summary>
    void Flush();

    /// <summary>What a resumed run needs to continue bit for bit (keys unique to this quantity).</summary>
    Dictionary<string, double[]> SaveState();

    /// <summary>Restores <see cref="SaveState"/>'s output.</summary>
    void LoadState(IReadOnlyDictionary<string, double[]> state);

    /// <summary>Why some predictions are not made for this run (empty when all are).</summary>
    IEnumerable<string> Unavailable { get; }
}
