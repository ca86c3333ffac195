using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A channel stream (docs/design.md, "Channel streams"): tensors of the architecture graph tied
/// together by operations that act on each channel alone and are positively homogeneous (ReLU,
/// LeakyReLU, identity, pooling, flatten, dropout, tokens, token mean), by residual adds, which
/// make every tensor they sum carry the same per-channel scale, by a positional embedding (x + P)
/// and by attention from its values (linear in v, channel by channel). Multiplying channel c of
/// every tensor of the stream by α &gt; 0 is one consistent change of the network: its writers
/// make it, its readers see it. A tensor's channels lie along one dimension, its unit dimension
/// (<see cref="ChannelDims"/>): 0 for images and 1-D features, the last for token sequences.
/// </summary>
/// <param name="Values">The nodes whose outputs belong to the stream (<see cref="Architecture.NetworkInput"/> for the input).</param>
/// <param name="Writers">The nodes producing a tensor of the stream that are not stream operations themselves (layers, unknown modules, the input), and positional embeddings.</param>
/// <param name="Reads">Every read of a stream tensor by a node that does not carry it.</param>
/// <param name="ReachesOutput">Whether the network's output is a tensor of the stream (the loss reads it).</param>
/// <param name="HasMerge">Whether an add joins tensors in it (a residual stream).</param>
/// <param name="ChannelDims">Per value, the dimension of its per-example tensor that indexes the channels; −1 where they are interleaved with other positions (a flatten of a token tensor).</param>
public sealed record ChannelStream(
    IReadOnlyList<int> Values,
    IReadOnlyList<int> Writers,
    IReadOnlyList<StreamRead> Reads,
    bool ReachesOutput,
    bool HasMerge,
    IReadOnlyDictionary<int, int> ChannelDims)
{
    /// <summary>The inputs of <paramref name="l"/> whose stream its output continues (<see cref="Operation.Carried"/>).</summary>
    public static IEnumerable<int> CarriedInputs(LayerInfo l) => l.Operation.Carried(l);

    /// <summary>Whether node <paramref name="l"/> produces a stream tensor of its own making (it is a writer, not only a carrier).</summary>
    private static bool IsWriter(LayerInfo l) => l.Operation.Writes != ChannelWrite.None || !CarriedInputs(l).Any();

    /// <summary>Every stream of <paramref name="architecture"/>, in the order of their first tensor.</summary>
    public static IReadOnlyList<ChannelStream> Find(Architecture architecture)
    {
        var layers = architecture.Layers;
        // Union-find over tensors; slot 0 is the network input, slot i + 1 node i's output.
        var parent = Enumerable.Range(0, layers.Count + 1).ToArray();
        int Root(int v) => parent[v] == v ? v : parent[v] = Root(parent[v]);
        foreach (var l in layers)
            foreach (int i in CarriedInputs(l))
                parent[Root(i + 1)] = Root(l.Index + 1);
        var dims = ChannelDimensions(architecture);
        var streams = new List<ChannelStream>();
        foreach (var members in Enumerable.Range(0, layers.Count + 1).GroupBy(Root).OrderBy(g => g.Min()))
        {
            var values = members.Select(v => v - 1).ToList();
            var writers = values.Where(v => v == Architecture.NetworkInput || IsWriter(layers[v])).ToList();
            var reads = values.SelectMany(v => architecture.Consumers(v).Where(c => !CarriedInputs(layers[c]).Contains(v)).Select(c => new StreamRead(c, v))).ToList();
            streams.Add(new ChannelStream(values, writers, reads, values.Contains(architecture.Output),
                values.Any(v => v != Architecture.NetworkInput && layers[v].Operation.Merge == Merge.Add), values.ToDictionary(v => v, v => dims[v + 1])));
        }
        return streams;
    }

    // The unit dimension of every tensor (slot 0 the input, i + 1 node i's output), in forward order.
    private static int[] ChannelDimensions(Architecture architecture)
    {
        var layers = architecture.Layers;
        var dims = new int[layers.Count + 1];
        foreach (var l in layers)
        {
            int carried = CarriedInputs(l).Select(i => dims[i + 1]).DefaultIfEmpty(0).First();
            dims[l.Index + 1] = l.Operation.OutputChannelDim(l, carried);
        }
        return dims;
    }
}
/// <summary>A node reading a tensor of a stream.</summary>
/// <param name="Reader">The reading node.</param>
/// <param name="Value">The node whose output it reads.</param>
public sealed record StreamRead(int Reader, int Value);
