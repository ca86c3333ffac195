namespace NeuralMechanics.Tracking;

/// <summary>What a quantity needs from the training step beyond the parameters θₙ and their gradients gₙ.</summary>
[Flags]
public enum QuantityNeeds
{
    /// <summary>θₙ, gₙ, the batch and the loss value only.</summary>
    None = 0,
    /// <summary>The backward pass keeps its graph (<c>create_graph</c>), for double backward (Hessian-vector products).</summary>
    Graph = 1,
    /// <summary>Reads the optimizer's momentum buffer vₙ (<see cref="OptimizerView.MomentumBuffer"/>).</summary>
    Velocity = 2,
    /// <summary>Reads the update Δθ the optimizer applied last (<see cref="OptimizerView.LastUpdate"/>): the optimizer records it.</summary>
    Update = 4,
}
