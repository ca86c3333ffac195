using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// What a quantity is handed at a step it computes: the step after its backward pass and before its
/// update, or (<see cref="Final"/>) the state after the last update. The tensors belong to the step:
/// keep none of them past <see cref="ITrackedQuantity.Compute"/>; values wanted later go through <see cref="Reader"/>.
/// </summary>
public sealed class StepContext
{
    internal StepContext(nn.Module<Tensor, Tensor> network, DeviceReader reader) => (Network, Reader) = (network, reader);

    /// <summary>The step n (θₙ, gₙ; the run's step count for the state after the last update).</summary>
    public long Step { get; internal set; }

    /// <summary>ηₙ, the learning rate of the update this step makes.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>The time t = Σ_{k&lt;n} ηₖ of the step (× (1−α) with SGD momentum, the paper's convention).</summary>
    public double Time { get; internal set; }

    /// <summary>Whether the step is a logged one (<see cref="Training.RunSpec.LogEvery"/>): detailed rows are wanted.</summary>
    public bool Logged { get; internal set; }

    /// <summary>Whether this is the state after the last update (no update follows).</summary>
    public bool Final { get; internal set; }

    /// <summary>The network, in training mode, with gₙ in each parameter's <c>.grad</c>.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The batch's inputs, as the network read them.</summary>
    public Tensor Input { get; internal set; } = null!;

    /// <summary>The batch's targets.</summary>
    public Tensor Target { get; internal set; } = null!;

    /// <summary>The network's output on <see cref="Input"/>.</summary>
    public Tensor Output { get; internal set; } = null!;

    /// <summary>The loss (a scalar tensor; with its graph when a quantity declared <see cref="QuantityNeeds.Graph"/>).</summary>
    public Tensor Loss { get; internal set; } = null!;

    /// <summary>
    /// gₙ with their graph (for double backward: H·v = ∂⟨gₙ, v⟩/∂θ), one per parameter in the order of
    /// <see cref="QuantitySetup.Parameters"/>, on the steps a quantity that declared <see cref="QuantityNeeds.Graph"/>
    /// computes; null on the others. <c>.grad</c> holds the same values without a graph.
    /// </summary>
    public IReadOnlyList<Tensor>? Gradients { get; internal set; }

    /// <summary>The optimizer's state, read-only, as the computing quantity declared it.</summary>
    public OptimizerView Optimizer { get; internal set; } = null!;

    /// <summary>The session's one device-deferred reader, shared by every quantity.</summary>
    public DeviceReader Reader { get; }
}
