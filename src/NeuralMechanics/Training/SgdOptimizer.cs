using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// SGD with momentum, dampening, weight decay and Nesterov, with PyTorch's semantics exactly
/// (see <see cref="SgdSettings"/>). Unlike <c>torch.optim.SGD</c> it keys its state by parameter
/// name, so trackers can read the live momentum buffer v of a named parameter (the paper's
/// momentum forcing uses |v_A|²) and a checkpoint can restore it by name.
/// </summary>
public sealed class SgdOptimizer
{
    private readonly (string Name, Parameter Param)[] parameters;
    private readonly Tensor?[] buffers;
    private readonly Dictionary<string, int> index = new();

    /// <summary>Optimizes the given named parameters (names must be unique).</summary>
    /// <exception cref="InvalidInputException">A setting is out of range.</exception>
    public SgdOptimizer(IEnumerable<(string Name, Parameter Param)> parameters, SgdSettings settings)
    {
        settings.Validate();
        Settings = settings;
        this.parameters = parameters.ToArray();
        buffers = new Tensor?[this.parameters.Length];
        for (var i = 0; i < this.parameters.Length; i++)
            if (!index.TryAdd(this.parameters[i].Name, i))
                throw new ArgumentException($"parameter name '{this.parameters[i].Name}' appears twice", nameof(parameters));
    }

    /// <summary>The hyperparameters η, λ, β, α and Nesterov.</summary>
    public SgdSettings Settings { get; }

    /// <summary>The parameter names, in update order.</summary>
    public IEnumerable<string> ParameterNames => parameters.Select(p => p.Name);

    /// <summary>
    /// One update from each parameter's <c>.grad</c>: d = g + λθ; v = d on the first step, else
    /// v ← βv + (1−α)d; θ ← θ − η·(Nesterov ? d + βv : v), or θ ← θ − ηd without momentum.
    /// Parameters without a gradient are skipped, as in PyTorch.
    /// </summary>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (beta, nesterov) = (Settings.Momentum, Settings.Nesterov);
        // Scalars held in variables until the loop ends: an implicit one (alpha: -lr) could be
        // finalized by a collection on another thread while the native update still reads it.
        using Scalar wd = Settings.WeightDecay, minusLr = -Settings.LearningRate, betaScalar = beta,
            oneMinusDamp = 1 - Settings.Dampening;
        for (var i = 0; i < parameters.Length; i++)
        {
            var theta = parameters[i].Param;
            var g = theta.grad;
            if (g is null) continue;
            // Out of place: .grad stays the raw gradient for whoever reads it after the step.
            var d = Settings.WeightDecay != 0 ? g.add(theta, alpha: wd) : g;
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

    /// <summary>The live momentum buffer v of a parameter: null before its first step or without momentum.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has this name.</exception>
    public Tensor? MomentumBuffer(string name) =>
        index.TryGetValue(name, out var i) ? buffers[i] : throw new KeyNotFoundException($"no parameter named '{name}'");

    /// <summary>Drops every gradient (sets it to null, PyTorch's default): no kernel, and backward writes instead of accumulating.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in parameters)
            p.grad = null;
    }

    /// <summary>
    /// The momentum buffers by parameter name (copies, so later steps do not change them);
    /// parameters without a buffer are absent. With <see cref="LoadStateDict"/> an exact round trip.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        using var noGrad = torch.no_grad();
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < parameters.Length; i++)
            if (buffers[i] is { } v)
                state[parameters[i].Name] = v.clone();
        return state;
    }

    /// <summary>
    /// Replaces the momentum buffers with <paramref name="state"/> (copied onto each parameter's
    /// device); parameters absent from it start afresh, as before a first step.
    /// </summary>
    /// <exception cref="InvalidInputException">A name is unknown, or a shape or dtype does not match its parameter.</exception>
    public void LoadStateDict(Dictionary<string, Tensor> state)
    {
        foreach (var (name, v) in state)
        {
            if (!index.TryGetValue(name, out var i))
                throw new InvalidInputException($"optimizer state: momentum buffer '{name}': expected one of this model's parameter names");
            var p = parameters[i].Param;
            if (!v.shape.SequenceEqual(p.shape) || v.dtype != p.dtype)
                throw new InvalidInputException($"optimizer state: momentum buffer '{name}': expected {p.dtype} [{string.Join(", ", p.shape)}], found {v.dtype} [{string.Join(", ", v.shape)}]");
        }
        using var noGrad = torch.no_grad();
        for (var i = 0; i < parameters.Length; i++)
        {
            buffers[i]?.Dispose();
            buffers[i] = state.TryGetValue(parameters[i].Name, out var v)
                ? v.detach().to(parameters[i].Param.device, copy: true).DetachFromDisposeScope()
                : null;
        }
    }
}
