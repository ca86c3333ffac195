using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A Linear or Conv2d read only by LayerNorms over its features (through identities, residual
/// adds, tokens and positional embeddings): LayerNorm removes each example's (each token's) mean
/// over features, so adding α to an input column of the weight (that input across every output
/// feature; for a convolution one input channel at one kernel position) or to the whole bias
/// vector changes nothing: one translation group per input column and one for the bias. A
/// positional embedding read so: one translation group per token row of P.
/// </summary>
public sealed class LayerNormTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var layer in a.Layers.Where(l => l.Operation.Shifts != ShiftSlices.None))
        {
            var (terminals, output) = AdditiveReach.From(a, layer.Index);
            long features = layer.Operation.Writes == ChannelWrite.WeightColumns ? layer.ShapeOf("weight")[1] : layer.ShapeOf("weight")[0];
            if (output || terminals.Count == 0 || !terminals.All(t => t.Operation.Normalisation is { Over: NormalisedOver.Features, RemovesMean: true }
                && t.Attribute<long[]>(NodeAttributes.NormalizedShape) is [long n] && n == features))
                continue;
            string origin = $"{string.Join(", ", terminals.Select(t => t.Name))} removes the mean over features";
            if (layer.Operation.Shifts == ShiftSlices.WeightRows)
            {
                context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.weight", layer.ShapeOf("weight")[0], [Slices.Rows(layer, "weight")], [], true,
                    origin + " (one group per token row)"), layer.Index);
                continue;
            }
            var columns = Slices.InputColumns(layer);
            context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.weight", columns.Units, [columns], [], true, origin), layer.Index);
            if (layer.Bias is not null)
                context.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", 1, [Slices.Whole(layer, "bias")], [], true, origin), layer.Index);
        }
    }
}
