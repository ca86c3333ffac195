using System.Globalization;
using NeuralMechanics.Reporting;
using NeuralMechanics.Theory;
using NeuralMechanics.Theory.Optimizers;

namespace NeuralMechanics.Training;

/// <summary>
/// <c>torch.optim.Adam</c> (L2 decay, preconditioned) and <c>torch.optim.AdamW</c> (decoupled decay)
/// as registered rules: <see cref="AdamOptimizer"/> and <see cref="AdamTheory"/>.
/// </summary>
public sealed class AdamDefinition : IOptimizerDefinition
{
    private AdamDefinition(OptimizerKind kind) => Kind = kind;

    /// <summary>Adam: weight decay added to the gradient.</summary>
    public static AdamDefinition Adam { get; } = new(OptimizerKind.Adam);

    /// <summary>AdamW: decoupled weight decay θ ← (1 − ηλ)θ before the Adam update.</summary>
    public static AdamDefinition AdamW { get; } = new(OptimizerKind.AdamW);

    /// <inheritdoc/>
    public OptimizerKind Kind { get; }

    /// <summary>Whether the decay is decoupled (AdamW).</summary>
    public bool Decoupled => Kind == OptimizerKind.AdamW;

    /// <inheritdoc/>
    public string Description => Decoupled ? "torch.optim.AdamW: decoupled weight decay" : "torch.optim.Adam: L2 weight decay, preconditioned";

    /// <inheritdoc/>
    public (double Beta1, double Beta2) DefaultBetas => (0.9, 0.999);

    /// <inheritdoc/>
    public void Validate(OptimizerSettings s)
    {
        // Validated through the SGD record for η and λ, whose messages name --lr and --wd.
        new SgdSettings(s.LearningRate, s.WeightDecay).Validate();
        if (s.Momentum != 0 || s.Dampening != 0 || s.Nesterov)
            throw new InvalidInputException($"--momentum: --momentum, --dampening and --nesterov apply to --optimizer sgd; {Kind.Name()} has --betas");
        if (!(s.Beta1 >= 0 && s.Beta1 < 1) || !(s.Beta2 >= 0 && s.Beta2 < 1))
            throw new InvalidInputException($"--betas: expected two numbers in [0, 1), found {Format(s.Beta1)},{Format(s.Beta2)}");
        if (!(s.Eps >= 0) || double.IsInfinity(s.Eps))
            throw new InvalidInputException($"--eps: expected a finite number ≥ 0, found {Format(s.Eps)}");
    }

    /// <inheritdoc/>
    public IOptimizer Create(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings) => new AdamOptimizer(groups, settings);

    /// <inheritdoc/>
    public OptimizerTheory Theory(OptimizerSettings settings) => new AdamTheory(settings, Decoupled);

    /// <inheritdoc/>
    public string Hyperparameters(OptimizerSettings s) => $"β₁ = {Labels.Number(s.Beta1)}, β₂ = {Labels.Number(s.Beta2)}, ε = {Labels.Number(s.Eps)}";

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
