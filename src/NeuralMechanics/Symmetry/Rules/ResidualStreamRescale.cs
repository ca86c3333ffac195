namespace NeuralMechanics.Symmetry;

/// <summary>
/// A residual stream: a tensor that several layers write and residual adds join (with ReLUs and
/// identity shortcuts between), read by several layers. One rescale group per channel of the
/// stream: A1 = every writer's row c (γ_c, β_c of a BatchNorm writer), A2 = every reader's
/// weights reading channel c. Leaving out a writer (the shortcut's BatchNorm) is not a symmetry.
/// The stream ends where no identity shortcut carries it further (docs/design.md, "Residual networks").
/// </summary>
public sealed class ResidualStreamRescale : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        foreach (var s in context.OpenStreams.Where(s => s.Outgoing.Count > 0 && (s.Writers.Count > 1 || s.Stream.HasMerge)))
        {
            if (s.CoarseNormalisers.Count > 0)
            {
                context.Note($"{s.Key}: residual stream read by {StreamReading.Describe(s.CoarseNormalisers)} and by {string.Join(", ", s.Outgoing.Select(o => o.Layer))}: no per-channel rescale counted");
                continue;
            }
            var incoming = s.Writers.SelectMany(w => Slices.Writing(w)).ToList();
            context.Add(new SymmetryGroupSet(SymmetryKind.Rescale, s.Key, s.Channels, incoming, s.Outgoing, s.Normalisers.Count == 0,
                $"residual stream: {s.Writers.Count} writers ({s.WriterNames}) joined by add, {s.Outgoing.Count} readers ({s.ReaderNames})"), s.Anchor);
        }
    }
}
