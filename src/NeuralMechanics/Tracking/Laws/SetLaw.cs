using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// What every law shares: registering per-set sums of a field, combining them, and the two pending
/// arrays every set's checkpoint holds (the SGD forcing waiting to be applied and the angular speed
/// waiting to be shown; unused by other laws, kept so that checkpoints have one shape).
/// </summary>
internal abstract class SetLaw : ISetLaw
{
    private readonly StepReductions reductions;

    /// <param name="context">The set and its settings.</param>
    /// <param name="unavailable">Why the set is not predicted (its settings are not covered), or null.</param>
    protected SetLaw(SetLawContext context, string? unavailable)
    {
        Context = context;
        Set = context.Set;
        reductions = context.Reductions;
        Count = checked((int)Set.Count);
        SetUnavailable = Unavailable = unavailable;
        PendingForcing = new double[Count];
        PendingSpeed = NaNs();
    }

    /// <summary>The set and its settings.</summary>
    protected SetLawContext Context { get; }

    /// <summary>The group set.</summary>
    protected SymmetryGroupSet Set { get; }

    /// <summary>Number of groups.</summary>
    protected int Count { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public string? Unavailable { get; protected set; }

    /// <summary>Why the set's settings are not covered, as the theory said when the law was built (a predictor may add a reason later).</summary>
    protected string? SetUnavailable { get; }

    /// <inheritdoc/>
    public virtual bool NeedsUpdates => false;

    /// <summary>SGD's forcing Fₙ = |g_A|², measured before update n and applied after it.</summary>
    protected double[] PendingForcing { get; set; }

    /// <summary>SGD's angular speed of the update about to be made, shown at the next step.</summary>
    protected double[] PendingSpeed { get; set; }

    /// <summary>Scale groups (the only ones with an angular speed and an equilibrium).</summary>
    protected bool IsScale => Set.Kind == SymmetryKind.Scale;

    /// <summary>Scale and rescale groups (driven by a forcing).</summary>
    protected bool Driven => Set.Kind != SymmetryKind.Translation;

    /// <summary>Translation groups.</summary>
    protected bool Translation => Set.Kind == SymmetryKind.Translation;

    /// <inheritdoc/>
    public abstract LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured);

    /// <summary>The predictor's state (null without one) and the law's other state beside the pending arrays.</summary>
    protected abstract IEnumerable<(string Name, double[] Values)> PredictorState();

    /// <summary>Starts the predictor at <paramref name="previousQ"/> and restores its <paramref name="state"/>.</summary>
    protected abstract void LoadPredictorState(double[] state, double[] previousQ);

    /// <summary>Restores what <see cref="PredictorState"/> wrote besides the predictor (default: nothing).</summary>
    protected virtual void LoadExtraState(Func<string, double[]?> optional)
    {
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, double[] Values)> SaveState()
    {
        foreach (var entry in PredictorState()) yield return entry;
        yield return ("pending", PendingForcing);
        yield return ("pending_speed", PendingSpeed);
    }

    /// <inheritdoc/>
    public void LoadState(Func<string, double[]> required, Func<string, double[]?> optional, double[] previousQ)
    {
        PendingForcing = required("pending");
        PendingSpeed = required("pending_speed");
        if (optional("predictor") is { } p) LoadPredictorState(p, previousQ);
        LoadExtraState(optional);
    }

    /// <summary>Registers the per-unit sums of <paramref name="field"/> over the set's slices: A, then B added (or subtracted).</summary>
    protected Term[] Sum(StepField field, bool addB = false) =>
        [.. Set.A.Select(s => new Term(reductions.Add(field, s), false)), .. Set.B.Select(s => new Term(reductions.Add(field, s), !addB))];

    /// <summary>Registers a per-unit sum of <paramref name="field"/> over one slice.</summary>
    protected StepReductions.Slot Add(StepField field, UnitSlice slice) => reductions.Add(field, slice);

    /// <summary>Σ over the terms' slices, left to right (B subtracted where the term says so).</summary>
    protected double[] Combine(Term[] sum, double[] measured) => SetTracker.Combine(sum, measured, Count);

    /// <summary><see cref="Combine"/>, or null for a field not registered.</summary>
    protected double[]? Optional(Term[]? sum, double[] measured) => sum is null ? null : Combine(sum, measured);

    /// <summary>Σ of signed terms from zero (a class may start with a subtracted A2 slice).</summary>
    protected double[] CombineSigned(Term[] sum, double[] measured)
    {
        var total = new double[Count];
        foreach (var term in sum)
        {
            int at = term.Slot.Start;
            double sign = term.Subtract ? -1 : 1;
            for (int u = 0; u < total.Length; u++) total[u] += sign * measured[at + u];
        }
        return total;
    }

    /// <summary>One NaN per group.</summary>
    protected double[] NaNs()
    {
        var none = new double[Count];
        Array.Fill(none, double.NaN);
        return none;
    }

    /// <summary>
    /// The equilibrium angular speed (per unit time) and update (per step) at rate <paramref name="eta"/> of
    /// <paramref name="theory"/>: NaN for groups other than scale, a set the theory does not cover, η = 0 or mixed λ.
    /// </summary>
    protected (double Speed, double Update) Equilibrium(NeuralMechanics.Theory.OptimizerTheory theory, double eta)
    {
        double lambda = Context.Lambda;
        // λ is NaN for a set whose parts carry different λ: no single equilibrium.
        if (!IsScale || SetUnavailable is not null || !(eta > 0) || double.IsNaN(lambda)) return (double.NaN, double.NaN);
        return (theory.EquilibriumAngularSpeed(eta, lambda), theory.EquilibriumAngularUpdate(eta, lambda));
    }

    /// <summary>The forcing the recorded update gives, U = |Δθ|²/η² per group (0 at η = 0); null without update sums.</summary>
    protected double[]? UpdateForcing(double[]? updateSquared, double eta)
    {
        if (updateSquared is null) return null;
        var forcing = new double[Count];
        for (int i = 0; i < Count; i++) forcing[i] = eta == 0 ? 0 : updateSquared[i] / (eta * eta);
        return forcing;
    }

    /// <summary>The step-0 angular speed (none yet) or the one pending from the last step.</summary>
    protected double[]? ShownSpeed(long step) => !IsScale ? null : step == 0 ? NaNs() : PendingSpeed;
}
