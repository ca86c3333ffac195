namespace NeuralMechanics.Models;

/// <summary>
/// A network that builds its architecture graph itself, without the builder's walk through its
/// modules: an imported network, whose graph comes from its file (OnnxNetwork).
/// </summary>
internal interface IDescribesItself
{
    /// <summary>The graph of the network for examples of <paramref name="inputShape"/>, followed by <paramref name="loss"/>.</summary>
    Architecture Describe(long[] inputShape, LossKind loss);
}
