using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// A channel stream (docs/design.md, "Channel streams"): tensors of the architecture graph tied
/// together by operations that act on each channel alone and are positively homogeneous (ReLU,
/// LeakyReLU, identity, pooling, flatten, dropout) and by residual adds, which make every tensor
/// they sum carry the same per-channel scale. Multiplying channel c of every tensor of the stream
/// by α &gt; 0 is one consistent change of the network: its writers make it, its readers see it.
/// </summary>
/// <param name="Values">The nodes whose outputs belong to the stream (<see cref="Architecture.NetworkInput"/> for the input).</param>
/// <param name="Writers">The nodes producing a tensor of the stream that are not stream operations themselves (layers, unknown modules, the input).</param>
/// <param name="Reads">Every read of a stream tensor by a node that is not a stream operation.</param>
/// <param name="ReachesOutput">Whether the network's output is a tensor of the stream (the loss reads it).</param>
/// <param name="HasMerge">Whether an add joins tensors in it (a residual stream).</param>
public sealed record ChannelStream(
    IReadOnlyList<int> Values,
    IReadOnlyList<int> Writers,
    IReadOnlyList<StreamRead> Reads,
    bool ReachesOutput,
    bool HasMerge)
{
    /// <summary>Whether node kind <paramref name="kind"/> carries a stream from its inputs to its output.</summary>
    public static bool Carries(LayerKind kind) => kind.IsHomogeneousPerChannel() || kind == LayerKind.Add;

    /// <summary>Every stream of <paramref name="architecture"/>, in the order of their first tensor.</summary>
    public static IReadOnlyList<ChannelStream> Find(Architecture architecture)
    {
        var layers = architecture.Layers;
        // Union-find over tensors; slot 0 is the network input, slot i + 1 node i's output.
        var parent = Enumerable.Range(0, layers.Count + 1).ToArray();
        int Root(int v) => parent[v] == v ? v : parent[v] = Root(parent[v]);
        foreach (var l in layers.Where(l => Carries(l.Kind)))
            foreach (int i in l.Inputs)
                parent[Root(i + 1)] = Root(l.Index + 1);
        var streams = new List<ChannelStream>();
        foreach (var members in Enumerable.Range(0, layers.Count + 1).GroupBy(Root).OrderBy(g => g.Min()))
        {
            var values = members.Select(v => v - 1).ToList();
            var writers = values.Where(v => v == Architecture.NetworkInput || !Carries(layers[v].Kind)).ToList();
            var reads = values.SelectMany(v => architecture.Consumers(v).Where(c => !Carries(layers[c].Kind)).Select(c => new StreamRead(c, v))).ToList();
            streams.Add(new ChannelStream(values, writers, reads, values.Contains(architecture.Output),
                values.Any(v => v != Architecture.NetworkInput && layers[v].Kind == LayerKind.Add)));
        }
        return streams;
    }
}

/// <summary>A node reading a tensor of a stream.</summary>
/// <param name="Reader">The reading node.</param>
/// <param name="Value">The node whose output it reads.</param>
public sealed record StreamRead(int Reader, int Value);
