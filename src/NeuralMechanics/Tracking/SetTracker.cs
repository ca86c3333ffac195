using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tracking;

/// <summary>
/// What the theory of one set is told: the update rule, the SGD hyperparameters with the set's own
/// λ (null for Adam), Adam's β₁, the schedule's clock, and why there is no prediction (or null).
/// </summary>
/// <param name="Kind">The update rule.</param>
/// <param name="Sgd">SGD's hyperparameters with the set's λ; null for Adam and AdamW.</param>
/// <param name="WeightDecay">The set's λ (NaN when its parts carry different λ).</param>
/// <param name="Beta1">Adam's β₁.</param>
/// <param name="Clock">The schedule's ηₙ and tₙ.</param>
/// <param name="Unavailable">Why the set has no prediction, or null.</param>
/// <param name="SliceDecay">λ of each slice's parameter when the set's parts carry different λ (SGD), else null.</param>
internal sealed record SetTheory(OptimizerKind Kind, SgdSettings? Sgd, double WeightDecay, double Beta1, ScheduleClock Clock, string? Unavailable,
    Func<UnitSlice, double>? SliceDecay = null);

/// <summary>
/// Tracks one group set: which per-unit reductions it needs each step (registered once with
/// <see cref="StepReductions"/>), how they combine into its per-group vectors, and its predictor.
/// Per group it holds O(1) doubles: the predictor's state, the forcing waiting to be applied,
/// the previous Q and the pending angular speed.
/// </summary>
internal sealed class SetTracker
{
    private readonly SetTheory theory;
    private LayerPredictor? predictor;
    private UpdateIdentityPredictor? identity;
    private MixedDecayPredictor? mixed;
    // Mixed λ: the distinct λ of the parts, and per class the sums of θ², g·θ and g² (SGD) or v² (momentum).
    private readonly double[]? classLambdas;
    private readonly Term[][]? classQuantity, classGradTheta, classForcing;
    private double[][]? pendingClassGradTheta, pendingClassForcing;
    private double[] pendingForcing;
    private double[] previousQ;
    private double[] pendingSpeed;

    // Each vector is a sum over slices, in the order SymmetryGroupSet.Combine adds them: A, then B added or subtracted.
    private readonly Term[] quantity, terms;
    private readonly Term[]? gradSquared, velocitySquared, gradTheta, updateSquared, updateVelocity, previousThetaUpdate, updateSum;
    private readonly double[]? floorCounts;
    private readonly StepReductions.Slot? floorRms;

    /// <param name="set">The group set.</param>
    /// <param name="theory">Optimizer, settings with the set's λ, schedule.</param>
    /// <param name="layerWeight">For translation sets: the weight of the layer that owns the set (its scale floors "terms").</param>
    /// <param name="reductions">The step's reduction plan, where the set registers what it reads.</param>
    public SetTracker(SymmetryGroupSet set, SetTheory theory, TorchSharp.Modules.Parameter? layerWeight, StepReductions reductions)
    {
        Set = set;
        this.theory = theory;
        PredictionUnavailable = theory.Unavailable;
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
        if (Identity)
        {
            if (translation) updateSum = Sum(StepField.Update, addB: false);
            else
            {
                previousThetaUpdate = Sum(StepField.PreviousThetaUpdate, addB: false);
                updateSquared = Sum(StepField.UpdateSquared, addB: false);
            }
        }
        else if (Nesterov)
        {
            if (Driven)
            {
                updateSquared = Sum(StepField.UpdateSquared, addB: false);
                updateVelocity = Sum(StepField.UpdateVelocity, addB: false);
            }
        }
        else
        {
            if (Driven && !Momentum) gradSquared = Sum(StepField.GradSquared, addB: false);
            if (Driven && Momentum) velocitySquared = Sum(StepField.VelocitySquared, addB: false);
            if (IsScale && !Momentum) gradTheta = Sum(StepField.GradTheta, addB: false);
        }
        if (theory.SliceDecay is { } decay && theory.Unavailable is null)
        {
            // Parts with different λ: each class advanced separately (MixedDecayPredictor).
            var slices = set.A.Select(s => (Slice: s, Subtract: false)).Concat(set.B.Select(s => (Slice: s, Subtract: true))).ToList();
            classLambdas = slices.Select(s => decay(s.Slice)).Distinct().OrderByDescending(l => l).ToArray();
            Term[][] PerClass(StepField field) => classLambdas.Select(l =>
                slices.Where(s => decay(s.Slice) == l).Select(s => new Term(reductions.Add(field, s.Slice), s.Subtract)).ToArray()).ToArray();
            classQuantity = PerClass(StepField.ThetaSquared);
            classGradTheta = PerClass(StepField.GradTheta);
            classForcing = PerClass(Momentum ? StepField.VelocitySquared : StepField.GradSquared);
        }
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

    /// <summary>Whether the set needs the optimizer's recorded updates Δθ.</summary>
    public bool NeedsUpdates => Identity || (Nesterov && Driven);

    private bool Identity => theory.Kind != OptimizerKind.Sgd;
    private bool Momentum => theory.Sgd is { Momentum: > 0 };
    private bool Nesterov => theory.Sgd is { Nesterov: true };
    private bool IsScale => Set.Kind == SymmetryKind.Scale;
    private bool Driven => Set.Kind != SymmetryKind.Translation;

    /// <summary>
    /// Takes this step's measurements (<see cref="StepReductions.Measure"/>'s array) and returns the
    /// step's record: Q, terms, then the forcing per group (SGD: F = |g_A|²; momentum: K = |v_A|²;
    /// Nesterov: U = |u_A|²; Adam: |Δθ_A|²/η²) and the angular speed of scale groups. Before the
    /// record, the predictions advance over the update that led here (made with ηₙ₋₁): SGD with the
    /// forcing measured last step, momentum with Kₙ = |vₙ|² measured now, Nesterov and Adam with the
    /// update Δθₙ₋₁ the optimizer recorded.
    /// </summary>
    public SetStep Observe(long step, double[] measured)
    {
        var q = Combine(quantity, measured);
        var sizes = Set.Kind == SymmetryKind.Translation ? TranslationTerms(measured) : Combine(terms, measured);
        var g2 = Optional(gradSquared, measured);
        var v2 = Optional(velocitySquared, measured);
        var gt = Optional(gradTheta, measured);
        var u2 = Optional(updateSquared, measured);
        double eta = theory.Clock.LearningRate(Math.Max(0, step - 1));
        double[]? forcing = g2 ?? v2;
        if (u2 is not null)
        {
            forcing = new double[Count];
            for (int i = 0; i < Count; i++) forcing[i] = eta == 0 ? 0 : u2[i] / (eta * eta);
        }

        var classG = classGradTheta?.Select(t => CombineSigned(t, measured)).ToArray();
        var classF = classForcing?.Select(t => CombineSigned(t, measured)).ToArray();
        if (step == 0) Start(q, classQuantity?.Select(t => CombineSigned(t, measured)).ToArray());
        else if (mixed is not null)
            // SGD: G and F measured before the update (last step); momentum: G last step, K = |v'|² now.
            mixed.Advance(eta, pendingClassGradTheta!, Momentum ? classF! : pendingClassForcing!);
        else if (identity is not null)
            identity.Advance(Set.Kind == SymmetryKind.Translation ? Combine(updateSum!, measured) : Combine(previousThetaUpdate!, measured), u2 ?? []);
        else if (predictor is not null)
        {
            if (Nesterov && Driven)
            {
                // u = −Δθ/η: U = |Δθ|²/η², W = ⟨u, v'⟩ = −⟨Δθ, v'⟩/η.
                var uv = Combine(updateVelocity!, measured);
                var w = new double[Count];
                for (int i = 0; i < Count; i++) w[i] = eta == 0 ? 0 : -uv[i] / eta;
                predictor.Advance(forcing!, eta, w);
            }
            else predictor.Advance(Momentum ? v2 ?? [] : pendingForcing, eta, default);
        }

        var speed = AngularSpeed(step, q, g2, v2, gt, u2, eta, classG, classF, classQuantity?.Select(t => CombineSigned(t, measured)).ToArray());
        if (classG is not null) (pendingClassGradTheta, pendingClassForcing) = (classG, classF);
        var record = new SetStep(this, step, q, sizes, forcing, speed, StationarySpeed(eta),
            Gradient(), Continuous(), Discrete(), AngularUpdateTheory(eta), EquilibriumNorm(step, q, g2, v2, u2, measured));
        if (g2 is not null) pendingForcing = g2;
        previousQ = q;
        return record;
    }

    private double[]? Gradient() => predictor?.GradientFlow.ToArray() ?? identity?.GradientFlow.ToArray() ?? mixed?.GradientFlow.ToArray();

    private double[]? Continuous()
    {
        if (predictor is not null) return predictor.Continuous.ToArray();
        if (identity is null && mixed is null) return null;
        var none = new double[Count];
        Array.Fill(none, double.NaN);
        return none;
    }

    private double[]? Discrete() => predictor?.Discrete.ToArray() ?? identity?.Discrete.ToArray() ?? mixed?.Discrete.ToArray();

    /// <summary>Σ of signed terms from zero (a class may start with a subtracted A2 slice).</summary>
    private double[] CombineSigned(Term[] sum, double[] measured)
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

    private double[]? Optional(Term[]? sum, double[] measured) => sum is null ? null : Combine(sum, measured);

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

    private void Start(double[] q0, double[][]? classQ0 = null)
    {
        if (theory.Unavailable is not null) return;
        if (classLambdas is not null)
        {
            // Resuming: the saved state replaces Q(0) right after.
            classQ0 ??= classLambdas.Select(_ => new double[Count]).ToArray();
            mixed = new MixedDecayPredictor(Set.Kind, theory.Sgd!, classLambdas, classQ0);
            return;
        }
        if (Identity)
        {
            identity = new UpdateIdentityPredictor(Set.Kind, q0);
            return;
        }
        try
        {
            predictor = new LayerPredictor(Set.Kind, theory.Sgd!, q0);
        }
        catch (InvalidInputException e)
        {
            predictor = null;
            PredictionUnavailable = e.Message;
        }
    }

    /// <summary>
    /// Scale groups: |Δθ_A|/(η|θ_A|) of the update that led to this step. SGD: Δθ = −η(g + λθ),
    /// |Δθ|² = η²(|g|² + 2λ⟨g,θ⟩ + λ²|θ|²) from the previous step; momentum: Δθ = −ηv, |Δθ|² = η²|v|²;
    /// Nesterov and Adam: the recorded |Δθ|², divided by that update's η.
    /// </summary>
    private double[]? AngularSpeed(long step, double[] q, double[]? gradSquared, double[]? velocitySquared, double[]? gradTheta, double[]? updateSquared, double eta,
        double[][]? classG, double[][]? classF, double[][]? classQ)
    {
        if (!IsScale) return null;
        double[] shown;
        if (step == 0)
        {
            shown = new double[Count];
            Array.Fill(shown, double.NaN);
        }
        else shown = pendingSpeed;
        if (updateSquared is not null)
        {
            if (step != 0)
            {
                shown = new double[Count];
                for (int i = 0; i < shown.Length; i++) shown[i] = Math.Sqrt(updateSquared[i] / previousQ[i]) / eta;
            }
        }
        else if (Momentum)
        {
            if (step != 0)
            {
                shown = new double[Count];
                for (int i = 0; i < shown.Length; i++) shown[i] = Math.Sqrt(velocitySquared![i] / previousQ[i]);
            }
        }
        else if (classG is not null)
        {
            // Mixed λ: |Δθ|²/η² = Σ_c (F_c + 2λ_c G_c + λ_c² Q_c).
            pendingSpeed = new double[Count];
            for (int i = 0; i < pendingSpeed.Length; i++)
            {
                double sum = 0;
                for (int k = 0; k < classLambdas!.Length; k++)
                    sum += classF![k][i] + 2 * classLambdas[k] * classG[k][i] + classLambdas[k] * classLambdas[k] * classQ![k][i];
                pendingSpeed[i] = Math.Sqrt(Math.Max(0, sum) / q[i]);
            }
        }
        else if (gradSquared is not null)
        {
            double lambda = theory.WeightDecay;
            pendingSpeed = new double[Count];
            for (int i = 0; i < pendingSpeed.Length; i++)
                pendingSpeed[i] = Math.Sqrt(Math.Max(0, gradSquared[i] + 2 * lambda * gradTheta![i] + lambda * lambda * q[i]) / q[i]);
        }
        return shown;
    }

    /// <summary>
    /// The equilibrium angular speed of scale groups per unit of time at rate η (the angle per step
    /// divided by the time per step): SGD √(2λ/η), SGDM √(2λ/(η(1−α)(1+β))), AdamW
    /// √(2ηλ(1−β₁)/(1+β₁))/η; NaN for other kinds, Nesterov, Adam with L2 decay, mixed λ or η = 0.
    /// </summary>
    private double StationarySpeed(double eta)
    {
        // λ is NaN for a set whose parts carry different λ: no single equilibrium.
        if (!IsScale || theory.Unavailable is not null || !(eta > 0) || double.IsNaN(theory.WeightDecay)) return double.NaN;
        if (theory.Kind == OptimizerKind.AdamW) return Stationary.AdamWAngularUpdate(eta, theory.WeightDecay, theory.Beta1) / eta;
        if (theory.Kind != OptimizerKind.Sgd) return double.NaN;
        try { return Stationary.AngularSpeed(theory.Sgd! with { LearningRate = eta }); }
        catch (InvalidInputException) { return double.NaN; }
    }

    /// <summary>The equilibrium angular update per step at rate η: SGD √(2ηλ), SGDM √(2ηλ(1−α)/(1+β)), AdamW √(2ηλ(1−β₁)/(1+β₁)); NaN where not derived.</summary>
    private double AngularUpdateTheory(double eta)
    {
        if (!IsScale || theory.Unavailable is not null || !(eta > 0) || double.IsNaN(theory.WeightDecay)) return double.NaN;
        if (theory.Kind == OptimizerKind.AdamW) return Stationary.AdamWAngularUpdate(eta, theory.WeightDecay, theory.Beta1);
        if (theory.Kind != OptimizerKind.Sgd) return double.NaN;
        try { return Stationary.AngularUpdate(theory.Sgd! with { LearningRate = eta }); }
        catch (InvalidInputException) { return double.NaN; }
    }

    /// <summary>
    /// Per scale group, the equilibrium norm |θ_A|* that this step's forcing implies (λ &gt; 0 and one λ
    /// per group): SGD from F = |g|² at the coming rate, momentum from K = |v|², AdamW from the
    /// normalised update |u|² = |Δθ + ηλθₙ|²/η² of the last step (see <see cref="Stationary"/>).
    /// </summary>
    private double[]? EquilibriumNorm(long step, double[] q, double[]? g2, double[]? v2, double[]? u2, double[] measured)
    {
        double lambda = theory.WeightDecay;
        if (!IsScale || theory.Unavailable is not null || !(lambda > 0) || classLambdas is not null) return null;
        var norm = new double[Count];
        if (theory.Kind == OptimizerKind.Sgd && !Nesterov && g2 is not null)
        {
            double eta = theory.Clock.LearningRate(step);
            for (int i = 0; i < Count; i++) norm[i] = Stationary.SgdNorm(eta, lambda, q[i] * g2[i]);
            return norm;
        }
        if (theory.Kind == OptimizerKind.Sgd && Momentum && !Nesterov && v2 is not null && step > 0)
        {
            double eta = theory.Clock.LearningRate(step - 1);
            var s = theory.Sgd!;
            for (int i = 0; i < Count; i++) norm[i] = Stationary.MomentumNorm(eta, lambda, s.Momentum, s.Dampening, q[i] * v2[i]);
            return norm;
        }
        if (theory.Kind == OptimizerKind.AdamW && u2 is not null && step > 0)
        {
            double eta = theory.Clock.LearningRate(step - 1);
            if (!(eta > 0)) return null;
            var thetaUpdate = Combine(previousThetaUpdate!, measured);
            for (int i = 0; i < Count; i++)
            {
                // Δθ = −ηλθₙ − ηu: |u|² = (|Δθ|² + 2ηλ⟨θₙ, Δθ⟩ + η²λ²Qₙ)/η².
                double uu = (u2[i] + 2 * eta * lambda * thetaUpdate[i] + eta * eta * lambda * lambda * previousQ[i]) / (eta * eta);
                norm[i] = Stationary.AdamWNorm(eta, lambda, theory.Beta1, uu);
            }
            return norm;
        }
        return null;
    }

    /// <summary>State for checkpoints: predictor, pending forcing, previous Q, pending speed.</summary>
    public IEnumerable<(string Key, double[] Values)> SaveState()
    {
        string key = $"set/{Set.Kind.Name()}/{Set.Layer}";
        if (predictor is not null) yield return ($"{key}/predictor", predictor.SaveState());
        if (identity is not null) yield return ($"{key}/predictor", identity.SaveState());
        if (mixed is not null) yield return ($"{key}/predictor", mixed.SaveState());
        if (pendingClassGradTheta is not null)
            yield return ($"{key}/pending_classes", [.. pendingClassGradTheta.SelectMany(c => c), .. pendingClassForcing!.SelectMany(c => c)]);
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
            identity?.LoadState(p);
            mixed?.LoadState(p);
        }
        if (classLambdas is not null && state.TryGetValue($"{key}/pending_classes", out var pc))
        {
            int classes = classLambdas.Length;
            if (pc.Length != 2 * classes * Count)
                throw new InvalidInputException($"checkpoint: tracker state '{key}/pending_classes' has the wrong size");
            double[][] Part(int from) => Enumerable.Range(0, classes).Select(k => pc.AsSpan((from + k) * Count, Count).ToArray()).ToArray();
            (pendingClassGradTheta, pendingClassForcing) = (Part(0), Part(classes));
        }
    }
}

/// <summary>One slice's per-unit sum within a set's vector, added or subtracted.</summary>
internal readonly record struct Term(StepReductions.Slot Slot, bool Subtract);

/// <summary>One set's measurements and predictions at one step (per group; the equilibrium angular speed per set).</summary>
internal sealed record SetStep(SetTracker Tracker, long Step, double[] Q, double[] Terms, double[]? Forcing,
    double[]? AngularSpeed, double AngularSpeedTheory, double[]? GradientFlow, double[]? Continuous, double[]? Discrete,
    double AngularUpdateTheory = double.NaN, double[]? EquilibriumNorm = null);
