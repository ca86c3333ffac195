using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// The key projection's bias of an attention: adding β to every key adds q·β/√d_h to all logits
/// of a query alike, which the softmax over keys removes, so ∂L/∂b_K = 0 exactly and every bias
/// entry is a translation group (docs/design.md, "Transformers"). Needs a Linear key projection
/// that nothing else reads.
/// </summary>
public sealed class KeyBiasTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var attention in a.Layers.Where(l => l.Operation.IsAttention))
        {
            int k = attention.Inputs[1];
            if (AttentionProjection(a, attention, 1) is not { Bias: { } bias } key) continue;
            long entries = key.ShapeOf("bias")[0];
            context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{key.Name}.bias", entries,
                [new UnitSlice(key.Name, "bias", bias, [entries], 0) { Start = key.StartOf("bias") }], [], true,
                $"{attention.Name}: the softmax over keys removes the key bias (adds q·b_K to every logit of a query)"), k);
        }
    }

    /// <summary>Input <paramref name="input"/> (0 q, 1 k, 2 v) of <paramref name="attention"/> when it is a Linear that only this input of the attention reads; else null.</summary>
    internal static LayerInfo? AttentionProjection(Architecture a, LayerInfo attention, int input)
    {
        int node = attention.Inputs[input];
        if (node == Architecture.NetworkInput || !a.Layers[node].Operation.MapsFeatures) return null;
        if (a.Consumers(node).Count != 1 || attention.Inputs.Count(i => i == node) != 1) return null;
        return a.Layers[node];
    }
}
