using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// Scale and rescale sets whose parts carry different λ (no weight decay on biases or norms), under
/// SGD or heavy-ball momentum: each class of parts with one λ advanced separately by
/// <see cref="MixedDecayPredictor"/>, with the cross terms G_c = ⟨θ_c, g_c⟩ the symmetry no longer cancels.
/// </summary>
internal sealed class MixedDecayLaw : SetLaw
{
    private readonly OptimizerTheory theory;
    private readonly SgdSettings settings;
    private readonly bool momentum;
    private readonly Term[]? gradSquared, velocitySquared;
    // The distinct λ of the parts, and per class the sums of θ², g·θ and g² (SGD) or v² (momentum).
    private readonly double[] classLambdas;
    private readonly Term[][] classQuantity, classGradTheta, classForcing;
    private double[][]? pendingClassGradTheta, pendingClassForcing;
    private MixedDecayPredictor? mixed;

    /// <param name="context">The set (scale or rescale, parts with different λ).</param>
    /// <param name="theory">The run's theory.</param>
    /// <param name="settings">SGD's hyperparameters (β, α; λ per class).</param>
    public MixedDecayLaw(SetLawContext context, OptimizerTheory theory, SgdSettings settings) : base(context, null)
    {
        this.theory = theory;
        this.settings = settings;
        momentum = settings.Momentum > 0;
        if (Driven && !momentum) gradSquared = Sum(StepField.GradSquared);
        if (Driven && momentum) velocitySquared = Sum(StepField.VelocitySquared);
        // Registered as for one λ (the plan's layout stays that of every SGD set); the classes' G_c are what the speed reads.
        if (IsScale && !momentum) Sum(StepField.GradTheta);
        var decay = context.SliceDecay;
        var slices = Set.A.Select(s => (Slice: s, Subtract: false)).Concat(Set.B.Select(s => (Slice: s, Subtract: true))).ToList();
        classLambdas = slices.Select(s => decay(s.Slice)).Distinct().OrderByDescending(l => l).ToArray();
        Term[][] PerClass(StepField field) => classLambdas.Select(l =>
            slices.Where(s => decay(s.Slice) == l).Select(s => new Term(Add(field, s.Slice), s.Subtract)).ToArray()).ToArray();
        classQuantity = PerClass(StepField.ThetaSquared);
        classGradTheta = PerClass(StepField.GradTheta);
        classForcing = PerClass(momentum ? StepField.VelocitySquared : StepField.GradSquared);
    }

    /// <inheritdoc/>
    public override string Name => "exact discrete recurrence per λ class (mixed weight decay)";

    /// <inheritdoc/>
    public override LawStep Observe(long step, double eta, double[] q, double[] previousQ, double[] measured)
    {
        var g2 = Optional(gradSquared, measured);
        var v2 = Optional(velocitySquared, measured);
        var classG = classGradTheta.Select(t => CombineSigned(t, measured)).ToArray();
        var classF = classForcing.Select(t => CombineSigned(t, measured)).ToArray();
        if (step == 0) Start(classQuantity.Select(t => CombineSigned(t, measured)).ToArray());
        // SGD: G and F measured before the update (last step); momentum: G last step, K = |v'|² now.
        else mixed?.Advance(eta, pendingClassGradTheta!, momentum ? classF : pendingClassForcing!);

        var speed = ShownSpeed(step);
        if (IsScale && momentum)
        {
            if (step != 0)
            {
                speed = new double[Count];
                for (int i = 0; i < speed.Length; i++) speed[i] = Math.Sqrt(v2![i] / previousQ[i]);
            }
        }
        else if (IsScale)
        {
            // |Δθ|²/η² = Σ_c (F_c + 2λ_c G_c + λ_c² Q_c).
            var classQ = classQuantity.Select(t => CombineSigned(t, measured)).ToArray();
            var next = new double[Count];
            for (int i = 0; i < next.Length; i++)
            {
                double sum = 0;
                for (int k = 0; k < classLambdas.Length; k++)
                    sum += classF[k][i] + 2 * classLambdas[k] * classG[k][i] + classLambdas[k] * classLambdas[k] * classQ[k][i];
                next[i] = Math.Sqrt(Math.Max(0, sum) / q[i]);
            }
            PendingSpeed = next;
        }
        (pendingClassGradTheta, pendingClassForcing) = (classG, classF);
        var forcing = g2 ?? v2;
        var record = new LawStep(forcing, speed, double.NaN, mixed?.GradientFlow.ToArray(), mixed is null ? null : NaNs(), mixed?.Discrete.ToArray(),
            double.NaN, null);
        if (g2 is not null) PendingForcing = g2;
        return record;
    }

    private void Start(double[][]? classQ0)
    {
        // Resuming: the saved state replaces Q(0) right after.
        classQ0 ??= classLambdas.Select(_ => new double[Count]).ToArray();
        mixed = new MixedDecayPredictor(Set.Kind, settings, classLambdas, classQ0);
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double[] Values)> PredictorState()
    {
        if (mixed is not null) yield return ("predictor", mixed.SaveState());
        if (pendingClassGradTheta is not null)
            yield return ("pending_classes", [.. pendingClassGradTheta.SelectMany(c => c), .. pendingClassForcing!.SelectMany(c => c)]);
    }

    /// <inheritdoc/>
    protected override void LoadPredictorState(double[] state, double[] previousQ)
    {
        Start(null);
        mixed!.LoadState(state);
    }

    /// <inheritdoc/>
    protected override void LoadExtraState(Func<string, double[]?> optional)
    {
        if (optional("pending_classes") is not { } pc) return;
        int classes = classLambdas.Length;
        if (pc.Length != 2 * classes * Count)
            throw new InvalidInputException($"checkpoint: tracker state 'set/{Set.Kind.Name()}/{Set.Layer}/pending_classes' has the wrong size");
        double[][] Part(int from) => Enumerable.Range(0, classes).Select(k => pc.AsSpan((from + k) * Count, Count).ToArray()).ToArray();
        (pendingClassGradTheta, pendingClassForcing) = (Part(0), Part(classes));
    }
}
