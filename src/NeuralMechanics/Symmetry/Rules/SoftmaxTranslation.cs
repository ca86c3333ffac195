using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Softmax + cross-entropy after a final Linear: adding α to every logit changes nothing, so
/// each input column of the final weight (that column across every class) and the bias vector
/// are translation groups. Mean-squared error has no such symmetry.
/// </summary>
public sealed class SoftmaxTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        if (a.Loss != LossKind.CrossEntropy) return;
        int node = a.Output;
        while (node != Architecture.NetworkInput && a.Layers[node].Operation.IsIdentity) node = a.Layers[node].Inputs[0];
        if (node == Architecture.NetworkInput)
        {
            context.Note("the network input feeds the softmax: no translation symmetry counted (needs a final Linear)");
            return;
        }
        var last = a.Layers[node];
        if (!last.Operation.MapsFeatures || last.OutputShape.Length != 1)
        {
            context.Stopped(node, "softmax translation", $"{last.Name} ({DiscoveryContext.Describe(last)}) feeds the softmax: no translation symmetry counted (needs a final Linear)");
            return;
        }
        var (terminals, _) = AdditiveReach.From(a, node);
        if (terminals.Count > 0)
        {
            context.Note($"{last.Name}: its logits are also read by {string.Join(", ", terminals.Select(t => t.Name))}; no softmax translation counted");
            return;
        }
        context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{last.Name}.weight", last.ShapeOf("weight")[1], [Slices.Columns(last)], [], true,
            "softmax is invariant to adding a constant to all logits (one group per input column)"), int.MaxValue);
        if (last.Bias is not null)
            context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{last.Name}.bias", 1, [Slices.Whole(last, "bias")], [], true,
                "softmax is invariant to adding a constant to all logits (the bias vector)"), int.MaxValue);
    }
}
