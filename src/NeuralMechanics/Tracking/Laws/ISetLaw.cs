namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// The law one symmetry set follows under the run's optimizer (exact SGD recurrence, momentum,
/// Nesterov, mixed λ, the update identity): what it reads each step (registered with
/// <see cref="StepReductions"/> when it is built), the predictions it advances, the measured angular
/// speed and forcing it derives from what it reads, and its equilibrium values. The set's own
/// bookkeeping (Q, terms, the previous Q) stays with <see cref="SetTracker"/>.
/// </summary>
internal interface ISetLaw
{
    /// <summary>The law's name for reports, e.g. "exact discrete SGD recurrence (eq. 39–41)".</summary>
    string Name { get; }

    /// <summary>Why there are no predictions (settings the theory does not cover), or null.</summary>
    string? Unavailable { get; }

    /// <summary>Whether the law reads the optimizer's recorded updates Δθ.</summary>
    bool NeedsUpdates { get; }

    /// <summary>
    /// Step <paramref name="step"/>'s record. At step 0 the predictions start at Q(0) = <paramref name="q"/>;
    /// after it they first advance over the update that led here (made with <paramref name="eta"/> = ηₙ₋₁).
    /// </summary>
    /// <param name="step">The step.</param>
    /// <param name="eta">The rate of the update that led here (η₀ at step 0).</param>
    /// <param name="q">Q per group, measured now.</param>
    /// <param name="previousQ">Q per group at the previous step.</param>
    /// <param name="measured">The step's reductions (<see cref="StepReductions.Measure"/>'s array).</param>
    LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured);

    /// <summary>The law's checkpoint state, by name within its set's key.</summary>
    IEnumerable<(string Name, double[] Values)> SaveState();

    /// <summary>
    /// Restores <see cref="SaveState"/>'s arrays: <paramref name="required"/> throws for a missing one,
    /// <paramref name="optional"/> answers null; <paramref name="previousQ"/> is the restored previous Q.
    /// </summary>
    void LoadState(Func<string, double[]> required, Func<string, double[]?> optional, double[] previousQ);
}

/// <summary>
/// A law's values at one step, per group (the equilibrium values per set): forcing, measured angular
/// speed, the predictions and the equilibrium the theory gives.
/// </summary>
internal sealed record LawStep(double[]? Forcing, double[]? AngularSpeed, double AngularSpeedTheory, double[]? GradientFlow, double[]? Continuous,
    double[]? Discrete, double AngularUpdateTheory, double[]? EquilibriumNorm);
