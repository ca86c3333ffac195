using NeuralMechanics.Training.Schedules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>Builds the optimizer a run's <see cref="OptimizerSettings"/> describe, and applies its schedule.</summary>
public static class Optimizers
{
    /// <summary>The optimizer for <paramref name="network"/>'s parameters, grouped by <see cref="OptimizerSettings.NoDecay"/>.</summary>
    /// <exception cref="InvalidInputException">A setting is out of range.</exception>
    public static IOptimizer Create(nn.Module network, OptimizerSettings settings) => Create(DecayGroups.For(network, settings), settings);

    /// <summary>The optimizer of <paramref name="settings"/>' kind over <paramref name="groups"/>.</summary>
    /// <exception cref="InvalidInputException">A setting is out of range.</exception>
    public static IOptimizer Create(IReadOnlyList<ParameterGroup> groups, OptimizerSettings settings)
    {
        settings.Validate();
        return settings.Definition.Create(groups, settings);
    }

    /// <summary>Sets every group's rate for update <paramref name="n"/>: its base rate × the schedule's factor fₙ.</summary>
    public static void ApplySchedule(IOptimizer optimizer, LrSchedule schedule, long n)
    {
        if (schedule.IsConstant) return;
        double factor = schedule.Factor(n);
        foreach (var g in optimizer.Groups) g.LearningRate = g.BaseLearningRate * factor;
    }
}
