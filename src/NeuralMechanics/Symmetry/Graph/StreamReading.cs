using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// What a channel stream with parametrized writers and nothing that breaks it allows: who
/// makes the per-channel scale (<see cref="Writers"/>), who compensates it
/// (<see cref="Outgoing"/>: the Linear/Conv2d weights reading each channel) and who ignores it
/// (<see cref="Normalisers"/>). The scale and rescale rules read this; streams that something
/// breaks are named in the notes instead (docs/design.md, "Channel streams").
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="Key">The writers' names joined by '+': whose parameters make the channels.</param>
/// <param name="Anchor">Node the sets are ordered by (the first writer, or the Linear/Conv2d that alone feeds a norm writer).</param>
/// <param name="Channels">Channels of the stream (dimension 0 of its tensors before any flatten).</param>
/// <param name="Writers">The parametrized writers: Linear, Conv2d, an affine normalisation, a positional embedding.</param>
/// <param name="Outgoing">One slice per Linear/Conv2d read: the weights reading channel c.</param>
/// <param name="Normalisers">Normalisations reading the stream: each ignores a common scale of each block of channels (<see cref="Normalisation.ScaleBlocks"/>), up to its ε.</param>
public sealed record StreamReading(
    ChannelStream Stream,
    string Key,
    int Anchor,
    long Channels,
    IReadOnlyList<LayerInfo> Writers,
    IReadOnlyList<UnitSlice> Outgoing,
    IReadOnlyList<LayerInfo> Normalisers)
{
    /// <summary>
    /// Into how many blocks of consecutive channels a scale the normalisers all ignore splits the
    /// stream: the greatest common divisor of their blocks (every channel for BatchNorms alone, one
    /// block when a LayerNorm reads it); <see cref="Channels"/> when no normalisation reads it.
    /// </summary>
    public long ScaleBlocks => Normalisation.CommonBlocks(Normalisers, Channels);

    /// <summary>The normalisers that ignore only a scale coarser than one per channel: a per-channel rescale does not survive them.</summary>
    public IReadOnlyList<LayerInfo> CoarseNormalisers => Normalisers.Where(n => n.Operation.Normalisation!.ScaleBlocks(n, Channels) < Channels).ToList();

    /// <summary>The normalisers whose blocks are the stream's <see cref="ScaleBlocks"/>: they name a scale set.</summary>
    public IReadOnlyList<LayerInfo> ScaleNormalisers => Normalisers.Where(n => n.Operation.Normalisation!.ScaleBlocks(n, Channels) == ScaleBlocks).ToList();

    /// <summary>Names of the nodes that read the stream, for origins.</summary>
    public string ReaderNames => string.Join(", ", Outgoing.Select(s => s.Layer).Concat(Normalisers.Select(l => l.Name)).Distinct());

    /// <summary>Names of the writers, for origins.</summary>
    public string WriterNames => string.Join(", ", Writers.Select(w => w.Name));

    /// <summary>"LayerNorm (blocks.0.ln1, blocks.1.ln1)": the families and names of <paramref name="normalisers"/>, for notes and origins.</summary>
    public static string Describe(IEnumerable<LayerInfo> normalisers) => string.Join("; ",
        normalisers.GroupBy(n => n.Operation.Normalisation!.Family).Select(g => $"{string.Join(", ", g.Select(n => n.Name))} ({g.Key})"));
}
