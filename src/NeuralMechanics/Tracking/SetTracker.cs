using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking.Laws;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Tracks one group set: the measured bookkeeping (its Q and terms, registered once with
/// <see cref="StepReductions"/>, and the previous Q) and the law it follows under the run's optimizer
/// (<see cref="ISetLaw"/>, chosen by the optimizer's theory), which advances the predictions.
/// Per group it holds O(1) doubles.
/// </summary>
internal sealed class SetTracker
{
    private readonly ISetLaw law;
    private double[] previousQ;

    // Each vector is a sum over slices, in the order SymmetryGroupSet.Combine adds them: A, then B added or subtracted.
    private readonly Term[] quantity, terms;
    private readonly double[]? floorCounts;
    private readonly StepReductions.Slot? floorRms;

    /// <param name="context">The set, its settings and the reduction plan, where the set and its law register what they read.</param>
    /// <param name="layerWeight">For translation sets: the weight of the layer that owns the set (its scale floors "terms").</param>
    public SetTracker(SetLawContext context, TorchSharp.Modules.Parameter? layerWeight)
    {
        var set = context.Set;
        var reductions = context.Reductions;
        Set = set;
        int n = checked((int)set.Count);
        previousQ = new double[n];

        Term[] Sum(StepField field, bool addB) =>
            [.. set.A.Select(s => new Term(reductions.Add(field, s), false)), .. set.B.Select(s => new Term(reductions.Add(field, s), !addB))];
        bool translation = set.Kind == SymmetryKind.Translation;
        quantity = Sum(translation ? StepField.Theta : StepField.ThetaSquared, addB: false);
        terms = Sum(translation ? StepField.ThetaAbs : StepField.ThetaSquared, addB: !translation);
        law = context.Settings.Theory.Law(context);
        if (translation && layerWeight is not null)
        {
            // |A| per group: the number of elements each group has in each slice, summed over slices.
            floorCounts = new double[n];
            foreach (var s in set.A)
                for (int u = 0; u < n; u++) floorCounts[u] += s.Elements / s.Units;
            floorRms = reductions.AddRootMeanSquare(layerWeight);
        }
        Clock = context.Clock;
    }

    public SymmetryGroupSet Set { get; }

    public int Count => previousQ.Length;

    /// <summary>The law the set follows, named for reports.</summary>
    public string Law => law.Name;

    /// <summary>Why there are no predictions (settings the theory does not cover), or null.</summary>
    public string? PredictionUnavailable => law.Unavailable;

    /// <summary>Whether the set needs the optimizer's recorded updates Δθ.</summary>
    public bool NeedsUpdates => law.NeedsUpdates;

    private Training.Schedules.ScheduleClock Clock { get; }

    /// <summary>
    /// Takes this step's measurements (<see cref="StepReductions.Measure"/>'s array) and returns the
    /// step's record: Q, terms, then the law's forcing per group (SGD: F = |g_A|²; momentum: K = |v_A|²;
    /// Nesterov and the update identity: |Δθ_A|²/η²), the angular speed of scale groups and the
    /// predictions, advanced over the update that led here (made with ηₙ₋₁).
    /// </summary>
    public SetStep Observe(long step, double[] measured)
    {
        var q = Combine(quantity, measured, Count);
        var sizes = Set.Kind == SymmetryKind.Translation ? TranslationTerms(measured) : Combine(terms, measured, Count);
        double eta = Clock.LearningRate(Math.Max(0, step - 1));
        var r = law.Observe(step, eta, q, previousQ, measured);
        var record = new SetStep(this, step, q, sizes, r.Forcing, r.AngularSpeed, r.AngularSpeedTheory,
            r.GradientFlow, r.Continuous, r.Discrete, r.AngularUpdateTheory, r.EquilibriumNorm);
        previousQ = q;
        return record;
    }

    /// <summary>Σ over the terms' slices, left to right (B subtracted where the term says so).</summary>
    internal static double[] Combine(Term[] sum, double[] measured, int count)
    {
        var total = new double[count];
        Array.Copy(measured, sum[0].Slot.Start, total, 0, total.Length);
        for (int t = 1; t < sum.Length; t++)
        {
            int at = sum[t].Slot.Start;
            if (sum[t].Subtract)
                for (int u = 0; u < total.Length; u++) total[u] -= measured[at + u];
            else
                for (int u = 0; u < total.Length; u++) total[u] += measured[at + u];
        }
        return total;
    }

    /// <summary>
    /// Σ_A|θ|, floored at |A| × the RMS of the owning layer's weight. A group whose parameters sit
    /// at zero (a bias feeding BatchNorm starts at 0 and only rounding moves it) has no size of its
    /// own; the layer's weight scale is the size its entries would have had.
    /// </summary>
    private double[] TranslationTerms(double[] measured)
    {
        var sum = Combine(terms, measured, Count);
        if (floorCounts is null) return sum;
        double rms = measured[floorRms!.Start];
        for (int u = 0; u < sum.Length; u++) sum[u] = Math.Max(sum[u], floorCounts[u] * rms);
        return sum;
    }

    /// <summary>State for checkpoints: the law's (predictor, pending forcing and speed) and the previous Q.</summary>
    public IEnumerable<(string Key, double[] Values)> SaveState()
    {
        string key = $"set/{Set.Kind.Name()}/{Set.Layer}";
        foreach (var (name, values) in law.SaveState()) yield return ($"{key}/{name}", values);
        yield return ($"{key}/previous_q", previousQ);
    }

    /// <summary>Restores <see cref="SaveState"/>'s arrays.</summary>
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        string key = $"set/{Set.Kind.Name()}/{Set.Layer}";
        double[] Get(string name) => state.TryGetValue($"{key}/{name}", out var v) && v.Length == Count ? v
            : throw new InvalidInputException($"checkpoint: tracker state '{key}/{name}' is missing or has the wrong size");
        previousQ = Get("previous_q");
        law.LoadState(Get, name => state.TryGetValue($"{key}/{name}", out var v) ? v : null, previousQ);
    }
}

/// <summary>One slice's per-unit sum within a set's vector, added or subtracted.</summary>
internal readonly record struct Term(StepReductions.Slot Slot, bool Subtract);

/// <summary>One set's measurements and predictions at one step (per group; the equilibrium angular speed per set).</summary>
internal sealed record SetStep(SetTracker Tracker, long Step, double[] Q, double[] Terms, double[]? Forcing,
    double[]? AngularSpeed, double AngularSpeedTheory, double[]? GradientFlow, double[]? Continuous, double[]? Discrete,
    double AngularUpdateTheory = double.NaN, double[]? EquilibriumNorm = null);
