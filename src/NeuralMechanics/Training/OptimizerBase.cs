using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// What every optimizer shares: parameters in update order with their groups, names, gradients
/// dropped between steps, and the recorded updates Δθ (kept in the state, so a resumed run's
/// tracker sees the update that led to the checkpoint).
/// </summary>
public abstract class OptimizerBase : IOptimizer
{
    /// <summary>Suffix of the recorded-update entries in <see cref="StateDict"/>.</summary>
    protected const string UpdateKey = "#update";

    private readonly Dictionary<string, int> index = new();
    private readonly Tensor?[] updates;

    /// <summary>Optimizes the parameters of <paramref name="groups"/> (names unique across all groups).</summary>
    protected OptimizerBase(IReadOnlyList<ParameterGroup> groups)
    {
        Groups = groups;
        Entries = groups.SelectMany(g => g.Parameters.Select(p => new Entry(p.Name, p.Param, g))).ToArray();
        updates = new Tensor?[Entries.Length];
        for (var i = 0; i < Entries.Length; i++)
            if (Entries[i].Name.Contains('#') || !index.TryAdd(Entries[i].Name, i))
                throw new ArgumentException($"parameter name '{Entries[i].Name}' appears twice or contains '#'", nameof(groups));
    }

    /// <summary>One parameter: its name, the tensor and its group.</summary>
    protected readonly record struct Entry(string Name, Parameter Param, ParameterGroup Group);

    /// <summary>Every parameter in update order.</summary>
    protected Entry[] Entries { get; }

    /// <inheritdoc/>
    public abstract OptimizerKind Kind { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <inheritdoc/>
    public IEnumerable<string> ParameterNames => Entries.Select(e => e.Name);

    /// <inheritdoc/>
    public bool RecordUpdates { get; set; }

    /// <inheritdoc/>
    public ParameterGroup GroupOf(string name) => Entries[IndexOf(name)].Group;

    /// <inheritdoc/>
    public virtual Tensor? MomentumBuffer(string name)
    {
        IndexOf(name);
        return null;
    }

    /// <inheritdoc/>
    public Tensor? LastUpdate(string name) => updates[IndexOf(name)];

    /// <inheritdoc/>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        if (TryUpdateOnHost()) return;
        Tensor?[]? before = null;
        if (RecordUpdates)
        {
            before = new Tensor?[Entries.Length];
            for (var i = 0; i < Entries.Length; i++)
                if (Entries[i].Param.grad is not null) before[i] = Entries[i].Param.detach().clone();
        }
        Update();
        if (before is null) return;
        for (var i = 0; i < Entries.Length; i++)
        {
            var u = updates[i] ??= zeros_like(Entries[i].Param).DetachFromDisposeScope();
            // θₙ₊₁ − θₙ of nearby floats is exact (Sterbenz), so θₙ + Δθ gives back θₙ₊₁.
            if (before[i] is { } old) u.copy_(Entries[i].Param.detach()).sub_(old);
            else u.zero_();
        }
    }

    /// <summary>Updates every parameter that has a gradient in place (called under no_grad and a dispose scope).</summary>
    protected abstract void Update();

    /// <summary>
    /// <see cref="Update"/> in one pass over host memory that also records Δθ (when
    /// <see cref="RecordUpdates"/>); false, with nothing changed, where the rule has no such pass or a
    /// tensor is not float32 CPU memory.
    /// </summary>
    private protected virtual bool TryUpdateOnHost() => false;

    /// <summary>The tensor Δθ of parameter <paramref name="i"/> is recorded into (made on first use); null before it exists when <paramref name="create"/> is false.</summary>
    private protected Tensor? RecordedUpdate(int i, bool create) =>
        create ? updates[i] ??= zeros_like(Entries[i].Param).DetachFromDisposeScope() : updates[i];

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        foreach (var e in Entries) e.Param.grad = null;
    }

    /// <inheritdoc/>
    public Dictionary<string, Tensor> StateDict()
    {
        using var noGrad = torch.no_grad();
        var state = RuleState();
        for (var i = 0; i < Entries.Length; i++)
            if (updates[i] is { } u) state[Entries[i].Name + UpdateKey] = u.clone();
        return state;
    }

    /// <inheritdoc/>
    public void LoadStateDict(Dictionary<string, Tensor> state)
    {
        var rule = new Dictionary<string, Tensor>();
        var recorded = new Dictionary<int, Tensor>();
        foreach (var (key, v) in state)
        {
            if (!key.EndsWith(UpdateKey, StringComparison.Ordinal)) { rule[key] = v; continue; }
            int i = Known(key[..^UpdateKey.Length], key);
            CheckLike(key, v, Entries[i].Param);
            recorded[i] = v;
        }
        LoadRuleState(rule);
        using var noGrad = torch.no_grad();
        for (var i = 0; i < Entries.Length; i++)
        {
            updates[i]?.Dispose();
            updates[i] = recorded.TryGetValue(i, out var v) ? v.detach().to(Entries[i].Param.device, copy: true).DetachFromDisposeScope() : null;
        }
    }

    /// <summary>The rule's own state (copies), by key.</summary>
    protected abstract Dictionary<string, Tensor> RuleState();

    /// <summary>Restores <see cref="RuleState"/>'s entries (validated first; nothing changes when one is bad).</summary>
    protected abstract void LoadRuleState(Dictionary<string, Tensor> state);

    /// <summary>Index of a parameter name.</summary>
    /// <exception cref="KeyNotFoundException">Unknown name.</exception>
    protected int IndexOf(string name) =>
        index.TryGetValue(name, out var i) ? i : throw new KeyNotFoundException($"no parameter named '{name}'");

    /// <summary>Index of the parameter a state entry belongs to.</summary>
    /// <exception cref="InvalidInputException">Unknown name.</exception>
    protected int Known(string parameter, string key) => index.TryGetValue(parameter, out var i) ? i
        : throw new InvalidInputException($"optimizer state: '{key}': expected an entry of one of this model's parameter names");

    /// <summary>Checks that a state tensor has its parameter's shape and dtype.</summary>
    /// <exception cref="InvalidInputException">It does not.</exception>
    protected static void CheckLike(string key, Tensor v, Parameter p)
    {
        if (!v.shape.SequenceEqual(p.shape) || v.dtype != p.dtype)
            throw new InvalidInputException($"optimizer state: '{key}': expected {p.dtype} [{string.Join(", ", p.shape)}], found {v.dtype} [{string.Join(", ", v.shape)}]");
    }

    /// <summary>A persistent copy of a loaded state tensor on the parameter's device.</summary>
    protected static Tensor Restore(Tensor v, Parameter p) => v.detach().to(p.device, copy: true).DetachFromDisposeScope();
}
