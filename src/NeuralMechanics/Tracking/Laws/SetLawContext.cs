using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// What a law is built from: the set, where it registers its reductions, the schedule's clock, the
/// run's settings, and the weight decay of each of the set's parameters (their groups' λ).
/// </summary>
/// <param name="Set">The group set.</param>
/// <param name="Reductions">The step's reduction plan.</param>
/// <param name="Clock">ηₙ and tₙ of the schedule.</param>
/// <param name="Settings">The run's optimizer settings.</param>
/// <param name="Parts">The set's parameters with their λ, in slice order.</param>
/// <param name="SliceDecay">λ of a slice's parameter.</param>
internal sealed record SetLawContext(SymmetryGroupSet Set, StepReductions Reductions, ScheduleClock Clock, OptimizerSettings Settings,
    IReadOnlyList<(string Name, double Lambda)> Parts, Func<UnitSlice, double> SliceDecay)
{
    /// <summary>The distinct λ of the set's parameters.</summary>
    public IReadOnlyList<double> Lambdas { get; } = Parts.Select(p => p.Lambda).Distinct().ToList();

    /// <summary>Whether the set's parameters carry different λ.</summary>
    public bool MixedDecay => Lambdas.Count > 1;

    /// <summary>The set's λ; NaN when its parameters carry different λ.</summary>
    public double Lambda => Lambdas.Count == 1 ? Lambdas[0] : double.NaN;
}
