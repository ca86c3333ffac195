namespace NeuralMechanics.Tracking;

/// <summary>What a quantity needs from the training step beyond the parameters θₙ and their gradients gₙ.</summary>
[Flags]
public enum QuantityNeeds
{
    /// <summary>θₙ, gₙ, the batch and the loss value only.</summary>
    None = 0,
    /// <summary>
    /// The step's gradients come with their graph (<c>autograd.grad</c> with <c>create_graph</c>, in
    /// <see cref="StepContext.Gradients"/>; <c>.grad</c> gets them detached) and the forward graph is
    /// retained, for double backward (Hessian-vector products) and per-example gradients.
    /// </summary>
    Graph = 1,
    /// <summary>Reads the optimizer's momentum buffer vₙ (<see cref="OptimizerView.MomentumBuffer"/>).</summary>
    Velocity = 2,
    /// <summary>Reads the update Δθ the optimizer applied last (<see cref="OptimizerView.LastUpdate"/>): the optimizer records it.</summary>
    Update = 4,
}
