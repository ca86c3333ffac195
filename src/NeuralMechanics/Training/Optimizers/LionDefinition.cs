using System.Globalization;
using NeuralMechanics.Reporting;
using NeuralMechanics.Theory;
using NeuralMechanics.Theory.Optimizers;

namespace NeuralMechanics.Training;

/// <summary>
/// Lion as a registered rule (<c>--optimizer lion --betas 0.9,0.99</c>): its settings are η, λ
/// (decoupled) and β₁, β₂ of <see cref="OptimizerSettings"/>; <see cref="LionOptimizer"/> updates and
/// <see cref="LionTheory"/> says what the tracker predicts.
/// </summary>
public sealed class LionDefinition : IOptimizerDefinition
{
    /// <summary>The rule's name, <c>lion</c>.</summary>
    public static OptimizerKind Lion { get; } = new("lion");

    /// <inheritdoc/>
    public OptimizerKind Kind => Lion;

    /// <inheritdoc/>
    public string Description => "Lion (Chen et al. 2023, lion-pytorch): sign of β₁m + (1−β₁)g, decoupled weight decay";

    /// <summary>lion-pytorch's defaults β₁ = 0.9, β₂ = 0.99.</summary>
    public (double Beta1, double Beta2) DefaultBetas => (0.9, 0.99);

    /// <inheritdoc/>
    public void Validate(OptimizerSettings s)
    {
        // η and λ through the SGD record, whose messages name --lr and --wd.
        new SgdSettings(s.LearningRate, s.WeightDecay).Validate();
        if (s.Momentum != 0 || s.Dampening != 0 || s.Nesterov)
            throw new InvalidInputException("--momentum: --momentum, --dampening and --nesterov apply to --optimizer sgd; lion has --betas");
        if (!(s.Beta1 >= 0 && s.Beta1 < 1) || !(s.Beta2 >= 0 && s.Beta2 < 1))
            throw new InvalidInputException($"--betas: expected two numbers in [0, 1), found {s.Beta1.ToString("R", CultureInfo.InvariantCulture)},{s.Beta2.ToString("R", CultureInfo.InvariantCulture)}");
    }

    /// <inheritdoc/>
    public IOptimizer Create(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings) => new LionOptimizer(groups, settings);

    /// <inheritdoc/>
    public OptimizerTheory Theory(OptimizerSettings settings) => new LionTheory(settings.Beta1, settings.Beta2);

    /// <inheritdoc/>
    public string Hyperparameters(OptimizerSettings s) => $"β₁ = {Labels.Number(s.Beta1)}, β₂ = {Labels.Number(s.Beta2)}";
}
