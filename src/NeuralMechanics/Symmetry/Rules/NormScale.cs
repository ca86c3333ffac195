namespace NeuralMechanics.Symmetry;

/// <summary>
/// A channel stream read only by normalisations: BatchNorm (training mode) divides each channel
/// by its batch std, so scaling one channel of every writer is a scale group, one per channel
/// (A = the writers' rows: weights and bias of a Conv/Linear, γ_c and β_c of an affine norm);
/// LayerNorm divides by the spread over features, so only a common scale of every writer's
/// parameters is a symmetry: one group; GroupNorm divides each group of channels by its spread:
/// one group per group of channels. Several readers: the blocks all of them ignore
/// (<see cref="StreamReading.ScaleBlocks"/>). Exact only up to the norms' ε.
/// </summary>
public sealed class NormScale : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        foreach (var s in context.OpenStreams.Where(s => s.Outgoing.Count == 0 && s.Normalisers.Count > 0))
        {
            long blocks = s.ScaleBlocks;
            var by = s.ScaleNormalisers;
            string origin = $"{StreamReading.Describe(by)} {by[0].Operation.Normalisation!.Effect}; exact up to its ε";
            // One block: a common scale of every writer's parameters; one block per channel: each writer's row c; between: its rows in blocks.
            var a = blocks == 1 ? s.Writers.SelectMany(w => Slices.Incoming(w, Slices.Whole)).ToList()
                : blocks == s.Channels ? s.Writers.SelectMany(w => Slices.Writing(w)).ToList()
                : s.Writers.SelectMany(w => Slices.Writing(w)).Select(slice => Slices.Blocks(slice, blocks)).ToList();
            context.Add(new SymmetryGroupSet(SymmetryKind.Scale, s.Key, blocks, a, [], false, origin), s.Anchor);
        }
    }
}
