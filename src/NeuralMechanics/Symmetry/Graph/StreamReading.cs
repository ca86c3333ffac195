using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// What a channel stream with parametrized writers and nothing that breaks it allows: who
/// makes the per-channel scale (<see cref="Writers"/>), who compensates it
/// (<see cref="Outgoing"/>: the Linear/Conv2d weights reading each channel) and who ignores it
/// (normalisations). The scale and rescale rules read this; streams that something breaks are
/// named in the notes instead (docs/design.md, "Channel streams").
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="Key">The set key: the writers' keys joined by '+' (a norm writer's key is the layer that feeds it).</param>
/// <param name="Anchor">Node the sets are ordered by (the first writer's key node).</param>
/// <param name="Channels">Channels of the stream (dimension 0 of its tensors before any flatten).</param>
/// <param name="Writers">The parametrized writers: Linear, Conv2d, or an affine BatchNorm/LayerNorm.</param>
/// <param name="Outgoing">One slice per Linear/Conv2d read: the weights reading channel c.</param>
/// <param name="BatchNormReaders">BatchNorms reading the stream: in training mode they ignore each channel's scale (up to ε).</param>
/// <param name="LayerNormReaders">LayerNorms reading the stream: they ignore a common scale of every channel (up to ε).</param>
public sealed record StreamReading(
    ChannelStream Stream,
    string Key,
    int Anchor,
    long Channels,
    IReadOnlyList<LayerInfo> Writers,
    IReadOnlyList<UnitSlice> Outgoing,
    IReadOnlyList<LayerInfo> BatchNormReaders,
    IReadOnlyList<LayerInfo> LayerNormReaders)
{
    /// <summary>Names of the nodes that read the stream, for origins.</summary>
    public string ReaderNames => string.Join(", ", Outgoing.Select(s => s.Layer).Concat(BatchNormReaders.Concat(LayerNormReaders).Select(l => l.Name)).Distinct());

    /// <summary>Names of the writers, for origins.</summary>
    public string WriterNames => string.Join(", ", Writers.Select(w => w.Name));
}
