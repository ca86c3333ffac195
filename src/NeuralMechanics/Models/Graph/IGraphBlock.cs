namespace NeuralMechanics.Models;

/// <summary>
/// A module that describes its inside to the symmetry analysis in terms of its children, so that
/// symmetries are found across and within it (docs/design.md, "The architecture graph"). Without
/// it, a module that is not a known layer or a <c>Sequential</c> is one opaque node: it is named
/// in the analysis' notes with the symmetries it stops.
/// </summary>
/// <remarks>
/// <see cref="Describe"/> retraces <c>forward</c> with the builder's operations: a child through
/// <see cref="GraphBuilder.Child"/>, a residual sum through <see cref="GraphBuilder.Add"/>, a
/// functional ReLU through <see cref="GraphBuilder.Relu"/>. The builder runs the description on
/// a random probe batch and compares it with the module's own <c>forward</c>; a description
/// that computes something else is rejected, so a wrong description cannot give a wrong count.
/// <code>
/// public GraphValue Describe(GraphBuilder graph, GraphValue x)
/// {
///     var h = graph.Child("bn2", graph.Child("conv2", graph.Child("relu1", graph.Child("bn1", graph.Child("conv1", x)))));
///     return graph.Child("relu2", graph.Add(h, graph.Child("shortcut", x)));
/// }
/// </code>
/// </remarks>
public interface IGraphBlock
{
    /// <summary>The output of this module for input <paramref name="input"/>, built from its children and the builder's operations.</summary>
    GraphValue Describe(GraphBuilder graph, GraphValue input);
}
