using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A Linear read only by LayerNorms over its features (through identities and residual adds):
/// LayerNorm removes each example's mean over features, so adding α to an input column of the
/// weight (that column across every output feature) or to the whole bias vector changes nothing.
/// One translation group per input column and one for the bias.
/// </summary>
public sealed class LayerNormTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var layer in a.Layers.Where(l => l.Kind == LayerKind.Linear))
        {
            var (terminals, output) = AdditiveReach.From(a, layer.Index);
            long features = layer.Weight!.shape[0];
            if (output || terminals.Count == 0 || !terminals.All(t => t.Kind == LayerKind.LayerNorm
                && t.Module is TorchSharp.Modules.LayerNorm ln && ln.normalized_shape is [long n] && n == features))
                continue;
            string origin = $"{string.Join(", ", terminals.Select(t => t.Name))} removes the mean over features";
            context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.weight", layer.Weight.shape[1], [Slices.Columns(layer)], [], true, origin), layer.Index);
            if (layer.Bias is not null)
                context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", 1, [Slices.Whole(layer, "bias")], [], true, origin), layer.Index);
        }
    }
}
