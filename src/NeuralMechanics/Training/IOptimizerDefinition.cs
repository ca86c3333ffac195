using NeuralMechanics.Theory;

namespace NeuralMechanics.Training;

/// <summary>
/// One update rule as the library knows it: its name, how its settings are checked, how its
/// optimizer is built, and the theory it brings (the law each symmetry set follows under it and its
/// equilibrium). Registered with <see cref="OptimizerRegistry"/>; nothing else in the library asks
/// which rule a run uses.
/// </summary>
public interface IOptimizerDefinition
{
    /// <summary>The rule's name (<c>--optimizer</c>, the manifest's <c>"kind"</c>).</summary>
    OptimizerKind Kind { get; }

    /// <summary>One line for the help and the report, e.g. "torch.optim.SGD (momentum, dampening, Nesterov)".</summary>
    string Description { get; }

    /// <summary>The rule's default β₁, β₂ (used where <c>--betas</c> is not given; NaN for rules without them).</summary>
    (double Beta1, double Beta2) DefaultBetas { get; }

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first option out of range for this rule.</summary>
    void Validate(OptimizerSettings settings);

    /// <summary>The optimizer over <paramref name="groups"/> (validated settings).</summary>
    IOptimizer Create(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings);

    /// <summary>The theory of <paramref name="settings"/>: laws per symmetry set, equilibrium, time per step.</summary>
    OptimizerTheory Theory(OptimizerSettings settings);

    /// <summary>The rule's hyperparameters besides η and λ, for tables and legends (e.g. "β = 0.9, α = 0"; empty for none).</summary>
    string Hyperparameters(OptimizerSettings settings);
}
