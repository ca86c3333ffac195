using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A bias feeding straight into normalisations that remove the mean of each channel (BatchNorm in
/// training mode) or of each group of channels (GroupNorm), through identities and residual adds:
/// every bias entry (every group's entries, shifted together) is a translation group; its
/// gradient is exactly zero.
/// </summary>
public sealed class BiasNormTranslation : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var layer in a.Layers.Where(l => l.Operation.Reads == ChannelRead.WeightColumns && l.Bias is not null))
        {
            // A Linear on a multi-dimensional input writes its features along the last dimension, BatchNorm normalises dimension 0.
            if (layer.Operation.Output == ChannelAxis.Last && layer.OutputShape.Length != 1) continue;
            var (terminals, output) = AdditiveReach.From(a, layer.Index);
            if (output || terminals.Count == 0 || !terminals.All(t => t.Operation.Normalisation is { RemovesMean: true, Over: NormalisedOver.Channel or NormalisedOver.ChannelGroups }))
                continue;
            var bias = layer.Bias!;
            long channels = layer.ShapeOf("bias")[0];
            long start = layer.StartOf("bias");
            long blocks = Normalisation.CommonBlocks(terminals, channels);
            if (blocks < 1 || channels % blocks != 0) continue;
            string names = string.Join(", ", terminals.Select(t => t.Name));
            context.Add(blocks == channels
                ? new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", channels,
                    [new UnitSlice(layer.Name, "bias", bias, [channels], 0) { Start = start }], [], true, $"{names} removes the batch mean of each channel")
                : new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", blocks,
                    [new UnitSlice(layer.Name, "bias", bias, [blocks, channels / blocks], 0) { Start = start }], [], true, $"{names} removes the mean of each group of channels"), layer.Index);
        }
    }
}
