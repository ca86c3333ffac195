using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Tracks one group set: which per-group reductions it needs each step, and its predictor.
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

    private readonly TorchSharp.Modules.Parameter? layerWeight;

    /// <param name="set">The group set.</param>
    /// <param name="settings">Optimizer settings.</param>
    /// <param name="layerWeight">For translation sets: the weight of the layer that owns the set (its scale floors "terms").</param>
    public SetTracker(SymmetryGroupSet set, SgdSettings settings, TorchSharp.Modules.Parameter? layerWeight)
    {
        Set = set;
        this.layerWeight = layerWeight;
        this.settings = settings;
        int n = checked((int)set.Count);
        pendingForcing = new double[n];
        previousQ = new double[n];
        pendingSpeed = Enumerable.Repeat(double.NaN, n).ToArray();
    }

    public SymmetryGroupSet Set { get; }

    public int Count => pendingForcing.Length;

    /// <summary>Why there are no predictions (settings the theory does not cover), or null.</summary>
    public string? PredictionUnavailable { get; private set; }

    private bool Momentum => settings.Momentum > 0;
    private bool IsScale => Set.Kind == SymmetryKind.Scale;
    private bool Driven => Set.Kind != SymmetryKind.Translation;

    /// <summary>Number of [Count] vectors <see cref="Measure"/> returns.</summary>
    public int Vectors => 2 + (Driven ? 1 : 0) + (Driven && Momentum ? 1 : 0) + (IsScale && !Momentum ? 1 : 0);

    /// <summary>The per-group reductions of this step (float64 [Count] each): Q, terms, then F, K, ⟨g,θ⟩ as needed.</summary>
    public IEnumerable<Tensor> Measure(StepFields f)
    {
        bool translation = Set.Kind == SymmetryKind.Translation;
        yield return translation ? Set.Combine(s => StepFields.Theta(s.Tensor)) : Set.Combine(s => f.ThetaSquared(s.Tensor));
        yield return translation ? TranslationTerms(f)
            : Set.Combine(s => f.ThetaSquared(s.Tensor), subtractB: false, addB: true);
        if (Driven) yield return Set.Combine(s => f.GradSquared(s.Tensor));
        if (Driven && Momentum) yield return Set.Combine(s => f.VelocitySquared(s.Tensor));
        if (IsScale && !Momentum) yield return Set.Combine(s => StepFields.GradTheta(s.Tensor));
    }

    /// <summary>
    /// Σ_A|θ|, floored at |A| × the RMS of the owning layer's weight. A group whose parameters sit
    /// at zero (a bias feeding BatchNorm starts at 0 and only rounding moves it) has no size of its
    /// own; the layer's weight scale is the size its entries would have had.
    /// </summary>
    private Tensor TranslationTerms(StepFields f)
    {
        var sum = Set.Combine(s => StepFields.ThetaAbs(s.Tensor));
        if (layerWeight is null) return sum;
        var rms = f.ThetaSquared(layerWeight).to(ScalarType.Float64).mean().sqrt();
        return maximum(sum, Set.Combine(s => ones_like(s.Tensor)) * rms);
    }

    /// <summary>
    /// Takes this step's measurements (<see cref="Vectors"/> × <see cref="Count"/> values) and
    /// returns the step's record. Before the record, the predictions advance over the update that
    /// led here: SGD with the forcing Fₙ₋₁ measured last step, momentum with Kₙ = |vₙ|² measured now.
    /// </summary>
    public SetStep Observe(long step, ReadOnlySpan<double> values)
    {
        int n = Count;
        var q = values[..n].ToArray();
        var terms = values.Slice(n, n).ToArray();
        int at = 2 * n;
        double[]? gradSquared = null, velocitySquared = null, gradTheta = null;
        if (Driven) { gradSquared = values.Slice(at, n).ToArray(); at += n; }
        if (Driven && Momentum) { velocitySquared = values.Slice(at, n).ToArray(); at += n; }
        if (IsScale && !Momentum) gradTheta = values.Slice(at, n).ToArray();

        if (step == 0) Start(q);
        else predictor?.Advance(Momentum ? velocitySquared ?? [] : pendingForcing);

        var speed = AngularSpeed(step, q, gradSquared, velocitySquared, gradTheta);
        var record = new SetStep(this, step, q, terms, Momentum ? velocitySquared : gradSquared, speed,
            predictor?.GradientFlow.ToArray(), predictor?.Continuous.ToArray(), predictor?.Discrete.ToArray());
        if (gradSquared is not null) pendingForcing = gradSquared;
        previousQ = q;
        return record;
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
        var shown = step == 0 ? Enumerable.Repeat(double.NaN, Count).ToArray() : pendingSpeed;
        double lambda = settings.WeightDecay;
        if (Momentum && !settings.Nesterov)
        {
            shown = step == 0 ? shown : velocitySquared!.Select((k, i) => Math.Sqrt(k / previousQ[i])).ToArray();
        }
        else if (!Momentum)
        {
            pendingSpeed = gradSquared!.Select((g2, i) =>
                Math.Sqrt(Math.Max(0, g2 + 2 * lambda * gradTheta![i] + lambda * lambda * q[i]) / q[i])).ToArray();
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

/// <summary>One set's measurements and predictions at one step (per group).</summary>
internal sealed record SetStep(SetTracker Tracker, long Step, double[] Q, double[] Terms, double[]? Forcing,
    double[]? AngularSpeed, double[]? GradientFlow, double[]? Continuous, double[]? Discrete);
