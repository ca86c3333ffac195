using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// SGD with momentum, dampening, weight decay and Nesterov, with PyTorch's semantics exactly
/// (see <see cref="SgdSettings"/>), per parameter group (each its own η and λ; β, α and Nesterov
/// shared). Unlike <c>torch.optim.SGD</c> it keys its state by parameter name, so trackers can
/// read the live momentum buffer v of a named parameter (the paper's momentum forcing uses
/// |v_A|²) and a checkpoint can restore it by name.
/// </summary>
public sealed class SgdOptimizer : OptimizerBase
{
    private readonly Tensor?[] buffers;

    /// <summary>Optimizes the given named parameters (names must be unique) as one group with η and λ of <paramref name="settings"/>.</summary>
    /// <exception cref="InvalidInputException">A setting is out of range.</exception>
    public SgdOptimizer(IEnumerable<(string Name, Parameter Param)> parameters, SgdSettings settings)
        : this([new ParameterGroup("all", parameters, settings.LearningRate, settings.WeightDecay)], settings)
    {
    }

    /// <summary>Optimizes <paramref name="groups"/>; β, α and Nesterov come from <paramref name="settings"/>, η and λ from each group.</summary>
    /// <exception cref="InvalidInputException">A setting (or a group's η or λ) is out of range.</exception>
    public SgdOptimizer(IReadOnlyList<ParameterGroup> groups, SgdSettings settings) : base(groups)
    {
        settings.Validate();
        foreach (var g in groups) (settings with { LearningRate = g.BaseLearningRate, WeightDecay = g.WeightDecay }).Validate();
        Settings = settings;
        buffers = new Tensor?[Entries.Length];
    }

    /// <summary>The hyperparameters η, λ (of the first group), β, α and Nesterov.</summary>
    public SgdSettings Settings { get; }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Sgd;

    /// <summary>
    /// One update from each parameter's <c>.grad</c>: d = g + λθ; v = d on the first step, else
    /// v ← βv + (1−α)d; θ ← θ − η·(Nesterov ? d + βv : v), or θ ← θ − ηd without momentum, with
    /// η and λ of the parameter's group. Parameters without a gradient are skipped, as in PyTorch.
    /// </summary>
    protected override void Update()
    {
        var (beta, nesterov) = (Settings.Momentum, Settings.Nesterov);
        // Scalars held in variables until the group's loop ends: an implicit one (alpha: -lr) could be
        // finalized by a collection on another thread while the native update still reads it.
        using Scalar betaScalar = beta, oneMinusDamp = 1 - Settings.Dampening;
        int i = 0;
        foreach (var group in Groups)
        {
            using Scalar wd = group.WeightDecay, minusLr = -group.LearningRate;
            for (int end = i + group.Parameters.Count; i < end; i++)
            {
                var theta = Entries[i].Param;
                var g = theta.grad;
                if (g is null) continue;
                // Out of place: .grad stays the raw gradient for whoever reads it after the step.
                var d = group.WeightDecay != 0 ? g.add(theta, alpha: wd) : g;
                if (beta == 0)
                {
                    theta.add_(d, alpha: minusLr);
                    continue;
                }
                var v = buffers[i];
                if (v is null)
                    buffers[i] = v = d.detach().clone().DetachFromDisposeScope();
                else
                    v.mul_(betaScalar).add_(d, alpha: oneMinusDamp);
                if (nesterov)
                    theta.add_(d.add(v, alpha: betaScalar), alpha: minusLr);
                else
                    theta.add_(v, alpha: minusLr);
            }
        }
    }

    /// <summary>
    /// <see cref="Update"/> as one pass per parameter over host memory (<see cref="HostSgd"/>, the same
    /// bits); false, with nothing changed, where the CPU lacks fused multiply-add or some tensor is not
    /// float32 CPU memory (then libtorch's operations update).
    /// </summary>
    private protected override bool TryUpdateOnHost()
    {
        if (!HostSgd.Supported) return false;
        // Every tensor of the pass is checked before anything changes.
        var grads = new Tensor?[Entries.Length];
        for (int k = 0; k < Entries.Length; k++)
        {
            var theta = Entries[k].Param;
            grads[k] = theta.grad;
            if (!HostMemory.TryGetSingles(theta, out var t)) return false;
            if (grads[k] is { } g && (!HostMemory.TryGetSingles(g, out var gs) || gs.Length != t.Length)) return false;
            if (buffers[k] is { } v && (!HostMemory.TryGetSingles(v, out var vs) || vs.Length != t.Length)) return false;
            if (RecordUpdates && RecordedUpdate(k, create: false) is { } u && (!HostMemory.TryGetSingles(u, out var us) || us.Length != t.Length)) return false;
        }
        var (beta, nesterov) = (Settings.Momentum, Settings.Nesterov);
        int i = 0;
        foreach (var group in Groups)
        {
            var rule = new HostSgd.Rule((float)group.WeightDecay, group.WeightDecay != 0, (float)beta, (float)(1 - Settings.Dampening), (float)-group.LearningRate, nesterov);
            for (int end = i + group.Parameters.Count; i < end; i++) UpdateOnHost(i, grads[i], rule);
        }
        GC.KeepAlive(grads);
        return true;
    }

    private void UpdateOnHost(int i, Tensor? grad, HostSgd.Rule rule)
    {
        var theta = Entries[i].Param;
        if (grad is null)
        {
            // Skipped, as in PyTorch; a recorded update becomes zero.
            if (RecordUpdates) RecordedUpdate(i, create: true)!.zero_();
            return;
        }
        HostMemory.TryGetWritableSingles(theta, out var t);
        HostMemory.TryGetSingles(grad, out var g);
        bool first = rule.Momentum != 0 && buffers[i] is null;
        if (first) buffers[i] = empty_like(theta).DetachFromDisposeScope();
        HostMemory.TryGetWritableSingles(rule.Momentum == 0 ? null : buffers[i], out var v);
        Span<float> u = default;
        if (RecordUpdates) HostMemory.TryGetWritableSingles(RecordedUpdate(i, create: true), out u);
        HostSgd.Update(rule, t, g, v, first, u);
    }

    /// <summary>The live momentum buffer v of a parameter: null before its first step or without momentum.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has this name.</exception>
    public override Tensor? MomentumBuffer(string name) => buffers[IndexOf(name)];

    /// <summary>
    /// The momentum buffers by parameter name (copies, so later steps do not change them);
    /// parameters without a buffer are absent.
    /// </summary>
    protected override Dictionary<string, Tensor> RuleState()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < Entries.Length; i++)
            if (buffers[i] is { } v)
                state[Entries[i].Name] = v.clone();
        return state;
    }

    /// <summary>
    /// Replaces the momentum buffers with <paramref name="state"/> (copied onto each parameter's
    /// device); parameters absent from it start afresh, as before a first step.
    /// </summary>
    protected override void LoadRuleState(Dictionary<string, Tensor> state)
    {
        foreach (var (name, v) in state)
        {
            if (name.Contains('#'))
                throw new InvalidInputException($"optimizer state: '{name}': an Adam entry; this run's optimizer is sgd");
            CheckLike(name, v, Entries[Known(name, name)].Param);
        }
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Entries.Length; i++)
        {
            buffers[i]?.Dispose();
            buffers[i] = state.TryGetValue(Entries[i].Name, out var v) ? Restore(v, Entries[i].Param) : null;
        }
    }
}
