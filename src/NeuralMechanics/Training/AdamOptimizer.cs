using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// Adam and AdamW with the semantics of <c>torch.optim.Adam</c> / <c>torch.optim.AdamW</c>
/// (PyTorch 2.x, single-tensor path, no amsgrad), per parameter group (each its own η and λ).
/// For each parameter with a gradient g, with its own step count k (from 1):
/// Adam: g ← g + λθ; AdamW: θ ← (1 − ηλ)θ; then m ← lerp(m, g, 1−β₁) (= m + (1−β₁)(g − m) for β₁ &gt; ½),
/// v ← β₂v + (1−β₂)g², θ ← θ − (η/(1−β₁ᵏ))·m / (√v/√(1−β₂ᵏ) + ε).
/// </summary>
public sealed class AdamOptimizer : OptimizerBase
{
    private const string ExpAvgKey = "#exp_avg", ExpAvgSqKey = "#exp_avg_sq", StepKey = "#step";
    private readonly Tensor?[] expAvg, expAvgSq;
    private readonly long[] steps;

    /// <summary>Optimizes <paramref name="groups"/> (η and λ per group) with β₁, β₂, ε of <paramref name="settings"/>.</summary>
    /// <param name="groups">Parameter groups.</param>
    /// <param name="settings">Kind (Adam or AdamW), betas and ε.</param>
    /// <exception cref="InvalidInputException">A setting, or a group's η or λ, is out of range.</exception>
    public AdamOptimizer(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings) : base(groups)
    {
        if (settings.Kind != OptimizerKind.Adam && settings.Kind != OptimizerKind.AdamW) throw new ArgumentException("expected Adam or AdamW settings", nameof(settings));
        settings.Validate();
        foreach (var g in groups) (settings with { LearningRate = g.BaseLearningRate, WeightDecay = g.WeightDecay }).Validate();
        Kind = settings.Kind;
        (Beta1, Beta2, Eps) = (settings.Beta1, settings.Beta2, settings.Eps);
        expAvg = new Tensor?[Entries.Length];
        expAvgSq = new Tensor?[Entries.Length];
        steps = new long[Entries.Length];
    }

    /// <inheritdoc/>
    public override OptimizerKind Kind { get; }

    /// <summary>First-moment decay β₁.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε added to the bias-corrected √v.</summary>
    public double Eps { get; }

    /// <summary>Number of updates a parameter has received (its bias-correction exponent).</summary>
    public long StepCount(string name) => steps[IndexOf(name)];

    /// <summary>The second moment v of a parameter (live: do not modify it); null before its first update.</summary>
    internal Tensor? SecondMoment(string name) => expAvgSq[IndexOf(name)];

    /// <inheritdoc/>
    protected override void Update()
    {
        bool decoupled = Kind == OptimizerKind.AdamW;
        using Scalar beta2 = Beta2, oneMinusBeta2 = 1 - Beta2, eps = Eps;
        // TorchSharp 0.107's lerp_ takes its weight as a tensor only: a 0-dim one per dtype, the same ATen formula.
        var weights = new Dictionary<ScalarType, Tensor>();
        int i = 0;
        foreach (var group in Groups)
        {
            double lr = group.LearningRate, lambda = group.WeightDecay;
            using Scalar wd = lambda, decay = 1 - lr * lambda;
            for (int end = i + group.Parameters.Count; i < end; i++)
            {
                var theta = Entries[i].Param;
                var g = theta.grad;
                if (g is null) continue;
                long k = ++steps[i];
                if (lambda != 0)
                {
                    if (decoupled) theta.mul_(decay);
                    else g = g.add(theta, alpha: wd);
                }
                var m = expAvg[i] ??= zeros_like(theta).DetachFromDisposeScope();
                var v = expAvgSq[i] ??= zeros_like(theta).DetachFromDisposeScope();
                if (!weights.TryGetValue(theta.dtype, out var weight))
                    weights[theta.dtype] = weight = tensor(1 - Beta1, dtype: theta.dtype, device: theta.device);
                m.lerp_(g, weight);
                v.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
                // As PyTorch computes them in Python floats: β**k, lr / bc1, bc2 ** 0.5.
                double biasCorrection1 = 1 - Math.Pow(Beta1, k);
                double biasCorrection2 = 1 - Math.Pow(Beta2, k);
                using Scalar minusStepSize = -(lr / biasCorrection1), bc2Sqrt = Math.Pow(biasCorrection2, 0.5);
                var denom = v.sqrt().div_(bc2Sqrt).add_(eps);
                theta.addcdiv_(m, denom, minusStepSize);
            }
        }
    }

    /// <summary>m, v and the step count of every parameter that has been updated.</summary>
    protected override Dictionary<string, Tensor> RuleState()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < Entries.Length; i++)
        {
            if (expAvg[i] is null) continue;
            var name = Entries[i].Name;
            state[name + ExpAvgKey] = expAvg[i]!.clone();
            state[name + ExpAvgSqKey] = expAvgSq[i]!.clone();
            state[name + StepKey] = tensor(steps[i]);
        }
        return state;
    }

    /// <inheritdoc/>
    protected override void LoadRuleState(Dictionary<string, Tensor> state)
    {
        var found = new Dictionary<int, (Tensor? M, Tensor? V, long? K)>();
        foreach (var (key, t) in state)
        {
            int hash = key.IndexOf('#');
            if (hash < 0)
                throw new InvalidInputException($"optimizer state: '{key}': an SGD momentum buffer; this run's optimizer is {Kind.Name()}");
            int i = Known(key[..hash], key);
            var entry = found.GetValueOrDefault(i);
            switch (key[hash..])
            {
                case ExpAvgKey: CheckLike(key, t, Entries[i].Param); entry.M = t; break;
                case ExpAvgSqKey: CheckLike(key, t, Entries[i].Param); entry.V = t; break;
                case StepKey:
                    if (t.dtype != ScalarType.Int64 || t.numel() != 1)
                        throw new InvalidInputException($"optimizer state: '{key}': expected one int64 step count, found {t.dtype} [{string.Join(", ", t.shape)}]");
                    long k = t.ReadInt64();
                    if (k < 1) throw new InvalidInputException($"optimizer state: '{key}': expected a step count ≥ 1, found {k}");
                    entry.K = k;
                    break;
                default: throw new InvalidInputException($"optimizer state: '{key}': expected exp_avg, exp_avg_sq or step");
            }
            found[i] = entry;
        }
        foreach (var (i, e) in found)
            if (e.M is null || e.V is null || e.K is null)
                throw new InvalidInputException($"optimizer state: '{Entries[i].Name}': expected exp_avg, exp_avg_sq and step together");
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Entries.Length; i++)
        {
            expAvg[i]?.Dispose();
            expAvgSq[i]?.Dispose();
            var has = found.TryGetValue(i, out var e);
            expAvg[i] = has ? Restore(e.M!, Entries[i].Param) : null;
            expAvgSq[i] = has ? Restore(e.V!, Entries[i].Param) : null;
            steps[i] = has ? e.K!.Value : 0;
        }
    }
}
