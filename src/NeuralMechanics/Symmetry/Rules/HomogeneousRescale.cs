using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A positively homogeneous path (ReLU, LeakyReLU, identity, pooling, flatten, dropout) from one
/// parametrized layer to the layers that read it: one rescale group per hidden unit/channel.
/// A1 = the unit's incoming weights and bias (or γ_c, β_c of the norm in between); A2 = the
/// next layers' weights reading that unit (after a flatten: every spatial position of the channel).
/// </summary>
public sealed class HomogeneousRescale : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        foreach (var s in context.OpenStreams.Where(s => s.Outgoing.Count > 0 && s.Writers.Count == 1 && !s.Stream.HasMerge))
        {
            if (s.CoarseNormalisers.Count > 0)
            {
                context.Note($"{s.Key}: read by {StreamReading.Describe(s.CoarseNormalisers)} and by {string.Join(", ", s.Outgoing.Select(o => o.Layer))}: no per-channel rescale counted");
                continue;
            }
            var writer = s.Writers[0];
            // Through an attention (linear in its values) the set is the head's V–O diagonal, keyed "<attention>.vo" beside its ".qk";
            // else it is named by what it holds: the writer, then the readers whose weights compensate (bn5→conv6).
            var attention = s.Stream.Values.Where(v => v >= 0).Select(v => context.Architecture.Layers[v]).FirstOrDefault(l => l.Operation.IsAttention);
            string key = attention is null ? $"{s.Key}→{string.Join("+", s.Outgoing.Select(o => o.Layer).Distinct())}" : $"{attention.Name}.vo";
            context.Add(new SymmetryGroupSet(SymmetryKind.Rescale, key, s.Channels, Slices.Writing(writer), s.Outgoing,
                s.Normalisers.Count == 0, attention is null
                    ? $"positively homogeneous path {writer.Name} -> {s.ReaderNames}"
                    : $"{attention.Name} is linear in the values, channel by channel: {writer.Name} -> {s.ReaderNames} (diagonal of GL(d_h))"), s.Anchor);
        }
    }
}
