using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") with the semantics of the
/// reference <c>lion-pytorch</c>, per parameter group (each its own η and λ). For each parameter with
/// a gradient g: θ ← θ(1 − ηλ); c = β₁m + (1−β₁)g; θ ← θ − η·sign(c); m ← β₂m + (1−β₂)g (m starts at 0).
/// </summary>
public sealed class LionOptimizer : OptimizerBase
{
    private const string ExpAvgKey = "#exp_avg";
    private readonly Tensor?[] expAvg;

    /// <summary>Optimizes <paramref name="groups"/> (η and λ per group) with β₁, β₂ of <paramref name="settings"/>.</summary>
    /// <exception cref="InvalidInputException">A setting, or a group's η or λ, is out of range.</exception>
    public LionOptimizer(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings) : base(groups)
    {
        var definition = new LionDefinition();
        definition.Validate(settings);
        foreach (var g in groups) definition.Validate(settings with { LearningRate = g.BaseLearningRate, WeightDecay = g.WeightDecay });
        (Beta1, Beta2) = (settings.Beta1, settings.Beta2);
        expAvg = new Tensor?[Entries.Length];
    }

    /// <inheritdoc/>
    public override OptimizerKind Kind => LionDefinition.Lion;

    /// <summary>β₁: the weight of the momentum in the update direction c.</summary>
    public double Beta1 { get; }

    /// <summary>β₂: the decay of the momentum m.</summary>
    public double Beta2 { get; }

    /// <inheritdoc/>
    protected override void Update()
    {
        using Scalar beta1 = Beta1, oneMinusBeta1 = 1 - Beta1, beta2 = Beta2, oneMinusBeta2 = 1 - Beta2;
        int i = 0;
        foreach (var group in Groups)
        {
            double lr = group.LearningRate, lambda = group.WeightDecay;
            using Scalar decay = 1 - lr * lambda, minusLr = -lr;
            for (int end = i + group.Parameters.Count; i < end; i++)
            {
                var theta = Entries[i].Param;
                var g = theta.grad;
                if (g is null) continue;
                // As lion-pytorch: p.mul_(1 − lr·wd); update = m·β₁ + (1−β₁)g, signed; p.add_(update, −lr); m.mul_(β₂).add_(g, 1−β₂).
                if (lambda != 0) theta.mul_(decay);
                var m = expAvg[i] ??= zeros_like(theta).DetachFromDisposeScope();
                var c = m.mul(beta1).add_(g, alpha: oneMinusBeta1).sign_();
                theta.add_(c, alpha: minusLr);
                m.mul_(beta2).add_(g, alpha: oneMinusBeta2);
            }
        }
    }

    /// <summary>The momentum m of every parameter that has been updated.</summary>
    protected override Dictionary<string, Tensor> RuleState()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < Entries.Length; i++)
            if (expAvg[i] is { } m) state[Entries[i].Name + ExpAvgKey] = m.clone();
        return state;
    }

    /// <inheritdoc/>
    protected override void LoadRuleState(Dictionary<string, Tensor> state)
    {
        var found = new Dictionary<int, Tensor>();
        foreach (var (key, t) in state)
        {
            int hash = key.IndexOf('#');
            if (hash < 0 || key[hash..] != ExpAvgKey)
                throw new InvalidInputException($"optimizer state: '{key}': expected a Lion momentum (name{ExpAvgKey}); this run's optimizer is lion");
            int i = Known(key[..hash], key);
            CheckLike(key, t, Entries[i].Param);
            found[i] = t;
        }
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Entries.Length; i++)
        {
            expAvg[i]?.Dispose();
            expAvg[i] = found.TryGetValue(i, out var m) ? Restore(m, Entries[i].Param) : null;
        }
    }
}
