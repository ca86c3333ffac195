using NeuralMechanics.Reporting;
using NeuralMechanics.Theory;
using NeuralMechanics.Theory.Optimizers;

namespace NeuralMechanics.Training;

/// <summary><c>torch.optim.SGD</c> (momentum, dampening, Nesterov, L2 weight decay) as a registered rule: <see cref="SgdOptimizer"/> and <see cref="SgdTheory"/>.</summary>
public sealed class SgdDefinition : IOptimizerDefinition
{
    /// <inheritdoc/>
    public OptimizerKind Kind => OptimizerKind.Sgd;

    /// <inheritdoc/>
    public string Description => "torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay";

    /// <inheritdoc/>
    public (double Beta1, double Beta2) DefaultBetas => (0.9, 0.999);

    /// <inheritdoc/>
    public void Validate(OptimizerSettings settings) => settings.Sgd.Validate();

    /// <inheritdoc/>
    public IOptimizer Create(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings) => new SgdOptimizer(groups, settings.Sgd);

    /// <inheritdoc/>
    public OptimizerTheory Theory(OptimizerSettings settings) => new SgdTheory(settings);

    /// <inheritdoc/>
    public string Hyperparameters(OptimizerSettings s) => s.Momentum > 0
        ? $"β = {Labels.Number(s.Momentum)}, α = {Labels.Number(s.Dampening)}" + (s.Nesterov ? ", Nesterov" : "")
        : "";
}
