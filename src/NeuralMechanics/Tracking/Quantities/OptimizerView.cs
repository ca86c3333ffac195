using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The optimizer's state as a quantity may read it, by parameter name: its groups (learning rate,
/// weight decay), the momentum buffer and the last applied update. Reading a buffer the quantity did
/// not declare in <see cref="ITrackedQuantity.Needs"/> is an error, so the session knows what to keep.
/// </summary>
public sealed class OptimizerView
{
    private readonly IOptimizer optimizer;
    private readonly QuantityNeeds needs;

    internal OptimizerView(IOptimizer optimizer, QuantityNeeds needs) => (this.optimizer, this.needs) = (optimizer, needs);

    /// <summary>The parameter groups, each with its learning rate and weight decay.</summary>
    public IReadOnlyList<ParameterGroup> Groups => optimizer.Groups;

    /// <summary>The parameter names, in update order.</summary>
    public IEnumerable<string> ParameterNames => optimizer.ParameterNames;

    /// <summary>The group of the parameter <paramref name="name"/>.</summary>
    public ParameterGroup GroupOf(string name) => optimizer.GroupOf(name);

    /// <summary>The live momentum buffer vₙ of a parameter (do not modify it); null without one.</summary>
    /// <exception cref="InvalidOperationException">The quantity did not declare <see cref="QuantityNeeds.Velocity"/>.</exception>
    public Tensor? MomentumBuffer(string name) =>
        needs.HasFlag(QuantityNeeds.Velocity) ? optimizer.MomentumBuffer(name) : throw Undeclared(QuantityNeeds.Velocity);

    /// <summary>Δθ of the last update (zero for a parameter it skipped); null before the first.</summary>
    /// <exception cref="InvalidOperationException">The quantity did not declare <see cref="QuantityNeeds.Update"/>.</exception>
    public Tensor? LastUpdate(string name) =>
        needs.HasFlag(QuantityNeeds.Update) ? optimizer.LastUpdate(name) : throw Undeclared(QuantityNeeds.Update);

    private static InvalidOperationException Undeclared(QuantityNeeds need) =>
        new($"the quantity reads what it did not declare: add QuantityNeeds.{need} to its Needs");
}
