using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// An optimizer as the trainer, the tracker and checkpoints use it: parameter groups, one update
/// from each parameter's <c>.grad</c>, and its state by parameter name (so a tracker can read a
/// named parameter's momentum buffer and a checkpoint can restore it).
/// </summary>
public interface IOptimizer
{
    /// <summary>The update rule.</summary>
    OptimizerKind Kind { get; }

    /// <summary>The parameter groups, each with its learning rate and weight decay.</summary>
    IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>The parameter names, in update order.</summary>
    IEnumerable<string> ParameterNames { get; }

    /// <summary>The group a parameter belongs to.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has this name.</exception>
    ParameterGroup GroupOf(string name);

    /// <summary>One update of every parameter that has a gradient; the others are skipped, as in PyTorch.</summary>
    void Step();

    /// <summary>Drops every gradient (sets it to null, PyTorch's default).</summary>
    void ZeroGrad();

    /// <summary>SGD's live momentum buffer v of a parameter; null before its first step, without momentum, or for Adam.</summary>
    Tensor? MomentumBuffer(string name);

    /// <summary>
    /// When set, every <see cref="Step"/> keeps each parameter's applied update Δθ = θₙ₊₁ − θₙ
    /// (one tensor per parameter), for the optimizer-independent identities the tracker checks.
    /// </summary>
    bool RecordUpdates { get; set; }

    /// <summary>Δθ of the last <see cref="Step"/> (zero for a parameter it skipped); null before the first or when not recorded.</summary>
    Tensor? LastUpdate(string name);

    /// <summary>The state by key (copies); with <see cref="LoadStateDict"/> an exact round trip.</summary>
    Dictionary<string, Tensor> StateDict();

    /// <summary>Replaces the state with <paramref name="state"/>; what it lacks starts afresh.</summary>
    /// <exception cref="InvalidInputException">An unknown key, or a shape or dtype that does not match its parameter.</exception>
    void LoadStateDict(Dictionary<string, Tensor> state);
}
