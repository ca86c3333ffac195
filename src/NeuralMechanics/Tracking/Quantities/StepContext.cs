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
    /// The gradient of the step's batch loss at the network's present parameters, by the step's forward pass
    /// replayed: the CPU generator is set to its state before the step's forward (dropout draws the step's
    /// masks) and put back after, and the network's buffers (BatchNorm's running statistics) are put back once
    /// the gradient is taken, so nothing of the run moves. Needs <see cref="QuantityNeeds.Replay"/>.
    /// </summary>
    internal Tensor[] ReplayGradient(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        if (ForwardRngState is null) throw new InvalidOperationException($"step {Step}: the replay was not declared (QuantityNeeds.Replay)");
        using var after = TorchSharp.torch.random.get_rng_state();
        var buffers = Network.buffers().Select(b => (Live: b, Saved: b.detach().clone())).ToArray();
        try
        {
            TorchSharp.torch.random.set_rng_state(ForwardRngState);
            var loss = LossOf(Network.forward(Input), Target);
            return [.. autograd.grad([loss], [.. parameters]).Select(g => g.detach())];
        }
        finally
        {
            TorchSharp.torch.random.set_rng_state(after);
            // After the gradient: the forward's graph holds the buffers as they were.
            using (no_grad())
                foreach (var (live, saved) in buffers)
                {
                    live.copy_(saved);
                    saved.Dispose();
                }
        }
    }

    /// <summary>The CPU generator's state before the step's forward, kept when a quantity declared <see cref="QuantityNeeds.Replay"/>.</summary>
    internal Tensor? ForwardRngState { get; set; }

    /// <summary>The run's loss function.</summary>
    internal Func<Tensor, Tensor, Tensor> LossOf { get; set; } = null!;

    /// <summary>The optimizer's state, read-only, as the computing quantity declared it.</summary>
    public OptimizerView Optimizer { get; internal set; } = null!;

    /// <summary>The session's one device-deferred reader, shared by every quantity.</summary>
    public DeviceReader Reader { get; }
}
