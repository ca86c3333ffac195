namespace NeuralMechanics.Tracking;

/// <summary>
/// When a quantity computes (Cockpit's <c>should_compute</c>): every <see cref="Every"/> steps, or
/// only at the logged steps (<see cref="Training.RunSpec.LogEvery"/>), and whether also once more on
/// the state after the last update (so its trajectory ends where training ended).
/// </summary>
/// <param name="Every">Steps between computations (1: every step); ignored with <paramref name="LoggedOnly"/>.</param>
/// <param name="LoggedOnly">Only at the logged steps.</param>
/// <param name="AfterLastUpdate">Also on the state after the last update (step = the run's step count).</param>
public sealed record QuantitySchedule(long Every, bool LoggedOnly, bool AfterLastUpdate)
{
    /// <summary>Every step, and after the last update.</summary>
    public static QuantitySchedule EveryStep { get; } = new(1, false, true);

    /// <summary>Every logged step, and after the last update.</summary>
    public static QuantitySchedule LoggedSteps { get; } = new(1, true, true);

    /// <summary>Every <paramref name="k"/> steps (0, k, 2k, …), and after the last update.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public static QuantitySchedule EveryK(long k) =>
        k >= 1 ? new(k, false, true) : throw new ArgumentOutOfRangeException(nameof(k), k, "expected at least 1 step");

    /// <summary>Whether the quantity computes at <paramref name="step"/>.</summary>
    /// <param name="step">The step (the run's step count for the state after the last update).</param>
    /// <param name="logged">Whether the step is a logged one.</param>
    /// <param name="final">Whether it is the state after the last update.</param>
    public bool Includes(long step, bool logged, bool final) =>
        final ? AfterLastUpdate : LoggedOnly ? logged : step % Every == 0;
}
