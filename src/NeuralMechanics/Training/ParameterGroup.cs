using TorchSharp.Modules;

namespace NeuralMechanics.Training;

/// <summary>
/// Parameters that share a learning rate and a weight decay, like one entry of a PyTorch
/// optimizer's <c>param_groups</c>. The schedule sets <see cref="LearningRate"/> before every
/// update from <see cref="BaseLearningRate"/> (PyTorch's <c>initial_lr</c>).
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>A group of named parameters (names unique across the optimizer).</summary>
    /// <param name="name">Group name, e.g. "decay" or "no_decay" (named in messages).</param>
    /// <param name="parameters">The group's parameters with their names in the network.</param>
    /// <param name="learningRate">Base learning rate η of the group.</param>
    /// <param name="weightDecay">Weight decay λ of the group.</param>
    public ParameterGroup(string name, IEnumerable<(string Name, Parameter Param)> parameters, double learningRate, double weightDecay)
    {
        Name = name;
        Parameters = parameters.ToArray();
        BaseLearningRate = LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>Group name.</summary>
    public string Name { get; }

    /// <summary>The parameters, in update order.</summary>
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; }

    /// <summary>The rate the schedule's factors multiply.</summary>
    public double BaseLearningRate { get; }

    /// <summary>The rate of the next update.</summary>
    public double LearningRate { get; set; }

    /// <summary>Weight decay λ of the group.</summary>
    public double WeightDecay { get; }
}
