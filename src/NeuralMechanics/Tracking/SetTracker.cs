using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Tracks one group set: which per-unit reductions it needs each step (registered once with
/// <see cref="StepReductions"/>), how they combine into its per-group vectors, and its predictor.
/// Per group it holds O(1) doubles: the predictor's state, the forcing waiting to be applied,
/// the previous Q and the pending angular speed.
/// </summary>
internal sealed class SetTracker
{
    private readonly SgdSettings settings;
    private LayerPredictor? predictor;
    private double[] pendingForcing;
    private double[] previousQ;
    private double[] pendingSpeed;

    // Each vector is a sum over slices, in the order SymmetryGroupSet.Combine adds them: A, then B added or subtracted.
    private readonly Term[] quantity, terms;
    private readonly Term[]? gradSquared, velocitySquared, gradTheta;
    private readonly double[]? floorCounts;
    private readonly StepReductions.Slot? floorRms;

    /// <param name="set">The group set.</param>
    /// <param name="settings">Optimizer settings.</param>
    /// <param name="layerWeight">For translation sets: the weight of the layer that owns the set (its scale floors "terms").</param>
    /// <param name="reductions">The step's reduction plan, where the set registers what it reads.</param>
    public SetTracker(SymmetryGroupSet set, SgdSettings settings, TorchSharp.Modules.Parameter? layerWeight, StepReductions reductions)
    {
        Set = set;
        this.settings = settings;
        int n = checked((int)set.Count);
        pendingForcing = new double[n];
        previousQ = new double[n];
        pendingSpeed = new double[n];
        Array.Fill(pendingSpeed, double.NaN);

        Term[] Sum(StepField field, bool addB) =>
            [.. set.A.Select(s => new Term(reductions.Add(field, s), false)), .. set.B.Select(s => new Term(reductions.Add(field, s), !addB))];
        bool translation = set.Kind == SymmetryKind.Translation;
        quantity = Sum(translation ? StepField.Theta : StepField.ThetaSquared, addB: false);
        terms = Sum(translation ? StepField.ThetaAbs : StepField.ThetaSquared, addB: !translation);
        if (Driven && !Momentum) gradSquared = Sum(StepField.GradSquared, addB: false);
        if (Driven && Momentum) velocitySquared = Sum(StepField.VelocitySquared, addB: false);
        if (IsScale && !Momentum) gradTheta = Sum(StepField.GradTheta, addB: false);
        if (translation && layerWeight is not null)
        {
            // |A| per group: the number of elements each group has in each slice, summed over slices.
            floorCounts = new double[n];
            foreach (var s in set.A)
                for (int u = 0; u < n; u++) floorCounts[u] += s.Tensor.numel() / s.Units;
            floorRms = reductions.AddRootMeanSquare(layerWeight);
        }
    }

    public SymmetryGroupSet Set { get; }

    public int Count => pendingForcing.Length;

    /// <summary>Why there are no predictions (settings the theory does not cover), or null.</summary>
    public string? PredictionUnavailable { get; private set; }

    private bool Momentum => settings.Momentum > 0;
    private bool IsScale => Set.Kind == SymmetryKind.Scale;
    private bool Driven => Set.Kind != SymmetryKind.Translation;

    /// <summary>
    /// Takes this step's measurements (<see cref="StepReductions.Measure"/>'s array) and returns the
    /// step's record: Q, terms, then F = |g_A|² (SGD) or K = |v_A|² (momentum) and ⟨g,θ⟩ (SGD scale)
    /// per group. Before the record, the predictions advance over the update that led here: SGD
    /// with the forcing Fₙ₋₁ measured last step, momentum with Kₙ = |vₙ|² measured now.
    /// </summary>
    public SetStep Observe(long step, double[] measured)
    {
        var q = Combine(quantity, measured);
        var sizes = Set.Kind == SymmetryKind.Translation ? TranslationTerms(measured) : Combine(terms, measured);
        var g2 = gradSquared is null ? null : Combine(gradSquared, measured);
        var v2 = velocitySquared is null ? null : Combine(velocitySquared, measured);
        var gt = gradTheta is null ? null : Combine(gradTheta, measured);

        if (step == 0) Start(q);
        else predictor?.Advance(Momentum ? v2 ?? [] : pendingForcing);

        var speed = AngularSpeed(step, q, g2, v2, gt);
        var record = new SetStep(this, step, q, sizes, Momentum ? v2 : g2, speed,
            predictor?.GradientFlow.ToArray(), predictor?.Continuous.ToArray(), predictor?.Discrete.ToArray());
        if (g2 is not null) pendingForcing = g2;
        previousQ = q;
        return record;
    }

    /// <summary>Σ over the terms' slices, left to right (B subtracted where the term says so).</summary>
    private double[] Combine(Term[] sum, double[] measured)
    {
        var total = new double[Count];
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
        var sum = Combine(terms, measured);
        if (floorCounts is null) return sum;
        double rms = measured[floorRms!.Start];
        for (int u = 0; u < sum.Length; u++) sum[u] = Math.Max(sum[u], floorCounts[u] * rms);
        return sum;
    }

    private void Start(double[] q0)
    {
        try
        {
            predictor = new LayerPredictor(Set.Kind, settings, q0);
        }
        catch (InvalidInputException e)
        {
            predictor = null;
            PredictionUnavailable = e.Message;
        }
    }

    /// <summary>
    /// Scale groups: |Δθ_A|/(η|θ_A|) of the update that led to this step. SGD: Δθ = −η(g + λθ),
    /// |Δθ|² = η²(|g|² + 2λ⟨g,θ⟩ + λ²|θ|²) from the previous step; momentum: Δθ = −ηv, |Δθ|² = η²|v|².
    /// </summary>
    private double[]? AngularSpeed(long step, double[] q, double[]? gradSquared, double[]? velocitySquared, double[]? gradTheta)
    {
        if (!IsScale) return null;
        double[] shown;
        if (step == 0)
        {
            shown = new double[Count];
            Array.Fill(shown, double.NaN);
        }
        else shown = pendingSpeed;
        double lambda = settings.WeightDecay;
        if (Momentum && !settings.Nesterov)
        {
            if (step != 0)
            {
                shown = new double[Count];
                for (int i = 0; i < shown.Length; i++) shown[i] = Math.Sqrt(velocitySquared![i] / previousQ[i]);
            }
        }
        else if (!Momentum)
        {
            pendingSpeed = new double[Count];
            for (int i = 0; i < pendingSpeed.Length; i++)
                pendingSpeed[i] = Math.Sqrt(Math.Max(0, gradSquared![i] + 2 * lambda * gradTheta![i] + lambda * lambda * q[i]) / q[i]);
        }
        return shown;
    }

    /// <summary>State for checkpoints: predictor, pending forcing, previous Q, pending speed.</summary>
    public IEnumerable<(string Key, double[] Values)> SaveState()
    {
        string key = $"set/{Set.Kind.Name()}/{Set.Layer}";
        if (predictor is not null) yield return ($"{key}/predictor", predictor.SaveState());
        yield return ($"{key}/pending", pendingForcing);
        yield return ($"{key}/previous_q", previousQ);
        yield return ($"{key}/pending_speed", pendingSpeed);
    }

    /// <summary>Restores <see cref="SaveState"/>'s arrays.</summary>
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        string key = $"set/{Set.Kind.Name()}/{Set.Layer}";
        double[] Get(string name) => state.TryGetValue($"{key}/{name}", out var v) && v.Length == Count ? v
            : throw new InvalidInputException($"checkpoint: tracker state '{key}/{name}' is missing or has the wrong size");
        pendingForcing = Get("pending");
        previousQ = Get("previous_q");
        pendingSpeed = Get("pending_speed");
        if (state.TryGetValue($"{key}/predictor", out var p))
        {
            Start(previousQ);
            predictor?.LoadState(p);
        }
    }
}

/// <summary>One slice's per-unit sum within a set's vector, added or subtracted.</summary>
internal readonly record struct Term(StepReductions.Slot Slot, bool Subtract);

/// <summary>One set's measurements and predictions at one step (per group).</summary>
internal sealed record SetStep(SetTracker Tracker, long Step, double[] Q, double[] Terms, double[]? Forcing,
    double[]? AngularSpeed, double[]? GradientFlow, double[]? Continuous, double[]? Discrete);
