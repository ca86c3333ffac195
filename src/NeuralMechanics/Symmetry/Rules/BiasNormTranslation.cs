using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A bias feeding straight into BatchNorm (training mode; through identities and residual adds):
/// BatchNorm removes each channel's batch mean, so every bias entry is a translation group (its
/// gradient is exactly zero).
/// </summary>
public sealed class BiasNormTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var layer in a.Layers.Where(l => l.Kind.IsParametrized() && l.Bias is not null))
        {
            // A Linear on a multi-dimensional input writes its features along the last dimension, BatchNorm normalises dimension 0.
            if (layer.Kind == LayerKind.Linear && layer.OutputShape.Length != 1) continue;
            var (terminals, output) = AdditiveReach.From(a, layer.Index);
            if (output || terminals.Count == 0 || !terminals.All(t => t.Kind.IsBatchNorm())) continue;
            var bias = layer.Bias!;
            context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", bias.numel(),
                [new UnitSlice(layer.Name, "bias", bias, [bias.numel()], 0)], [], true,
                $"{string.Join(", ", terminals.Select(t => t.Name))} removes the batch mean of each channel"), layer.Index);
        }
    }
}
