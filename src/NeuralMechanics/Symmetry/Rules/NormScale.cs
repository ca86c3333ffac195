namespace NeuralMechanics.Symmetry;

/// <summary>
/// A channel stream read only by normalisations: BatchNorm (training mode) divides each channel
/// by its batch std, so scaling one channel of every writer is a scale group, one per channel
/// (A = the writers' rows: weights and bias of a Conv/Linear, γ_c and β_c of an affine norm);
/// LayerNorm divides by the spread over features, so only a common scale of every writer's
/// parameters is a symmetry: one group. Both exact only up to the norm's ε.
/// </summary>
public sealed class NormScale : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        foreach (var s in context.OpenStreams.Where(s => s.Outgoing.Count == 0))
        {
            if (s.LayerNormReaders.Count > 0)
            {
                var whole = s.Writers.SelectMany(w => Slices.Incoming(w, Slices.Whole)).ToList();
                context.Add(new SymmetryGroupSet(SymmetryKind.Scale, s.Key, 1, whole, [], false,
                    $"{string.Join(", ", s.LayerNormReaders.Select(l => l.Name))} (LayerNorm) divides by the norm of the whole layer; exact up to its ε"), s.Anchor);
            }
            else if (s.BatchNormReaders.Count > 0)
            {
                var rows = s.Writers.SelectMany(w => Slices.Writing(w)).ToList();
                context.Add(new SymmetryGroupSet(SymmetryKind.Scale, s.Key, s.Channels, rows, [], false,
                    $"{string.Join(", ", s.BatchNormReaders.Select(l => l.Name))} (BatchNorm) divides each channel by its batch std; exact up to its ε"), s.Anchor);
            }
        }
    }
}
