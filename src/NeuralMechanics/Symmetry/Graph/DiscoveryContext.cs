using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// What the symmetry rules share while they walk one architecture graph: the graph, its channel
/// streams (classified once), the sets found so far and the notes. A rule adds sets with
/// <see cref="Add"/> and says what stops a symmetry with <see cref="Stopped"/>.
/// </summary>
public sealed class DiscoveryContext
{
    private readonly List<(SymmetryGroupSet Set, int Anchor, int Rank, int Order)> found = [];
    private readonly List<string> notes = [];
    private readonly Dictionary<int, List<string>> stops = [];

    /// <summary>Reads <paramref name="architecture"/> and classifies its channel streams.</summary>
    public DiscoveryContext(Architecture architecture)
    {
        Architecture = architecture;
        Streams = ChannelStream.Find(architecture);
        OpenStreams = Streams.Select(Read).OfType<StreamReading>().ToList();
    }

    /// <summary>The graph being analysed.</summary>
    public Architecture Architecture { get; }

    /// <summary>Every channel stream of the graph.</summary>
    public IReadOnlyList<ChannelStream> Streams { get; }

    /// <summary>The streams with parametrized writers that nothing breaks.</summary>
    public IReadOnlyList<StreamReading> OpenStreams { get; }

    /// <summary>Notes so far.</summary>
    public IReadOnlyList<string> Notes => notes;

    /// <summary>What each node stopped, by node index.</summary>
    public IReadOnlyDictionary<int, List<string>> Stops => stops;

    /// <summary>The sets found, ordered as the chain analysis always ordered them: by anchor node, then rule rank (translation, scale, rescale), then as added.</summary>
    public IReadOnlyList<SymmetryGroupSet> Sets => found.OrderBy(f => f.Anchor).ThenBy(f => f.Rank).ThenBy(f => f.Order).Select(f => f.Set).ToList();

    /// <summary>Adds a set, ordered by node <paramref name="anchor"/> (int.MaxValue: after every node).</summary>
    public void Add(SymmetryGroupSet set, int anchor) =>
        found.Add((set, anchor, set.Kind switch { SymmetryKind.Translation => 0, SymmetryKind.Scale => 1, _ => 2 }, found.Count));

    /// <summary>Adds a note for the user.</summary>
    public void Note(string note) => notes.Add(note);

    /// <summary>Records that node <paramref name="node"/> stops <paramref name="what"/>, and says so in the notes.</summary>
    public void Stopped(int node, string what, string note)
    {
        if (!stops.TryGetValue(node, out var list)) stops[node] = list = [];
        list.Add(what);
        notes.Add(note);
    }

    /// <summary>
    /// The node a set started by writer <paramref name="writer"/> is ordered by: the writer, or for a
    /// normalisation that only a Linear/Conv2d feeds, that layer (conv5 → bn5 → relu5 → conv6 sits with conv5).
    /// </summary>
    public int KeyNode(int writer)
    {
        var l = Architecture.Layers[writer];
        if (l.Operation.Normalisation is not null && l.Inputs is [int feeder] && feeder != Architecture.NetworkInput
            && Architecture.Layers[feeder].Operation.Reads == ChannelRead.WeightColumns && Architecture.Consumers(feeder).Count == 1)
            return feeder;
        return writer;
    }

    private StreamReading? Read(ChannelStream stream)
    {
        var layers = Architecture.Layers;
        if (stream.Reads.Count == 0 || stream.ReachesOutput) return null; // nothing reads it, or the loss does (no unit to rescale against)
        var parametrized = stream.Writers.Where(w => w != Architecture.NetworkInput && Writes(layers[w])).Select(w => layers[w]).ToList();
        if (parametrized.Count == 0)
        {
            foreach (var w in stream.Writers.Where(w => w != Architecture.NetworkInput))
                if (WriterProblem(layers[w]) is { } problem) notes.Add(problem);
            return null;
        }
        // Named after what is in its sets: the writers whose parameters make the channels.
        string key = string.Join("+", parametrized.Select(w => w.Name));
        var blockers = stream.Writers.Where(w => w == Architecture.NetworkInput || !Writes(layers[w])).ToList();
        if (blockers.Count > 0)
        {
            foreach (var w in blockers)
                notes.Add(w == Architecture.NetworkInput
                    ? $"{key}: per-channel symmetry broken: the network input is added to the stream and has no parameters to scale"
                    : WriterProblem(layers[w]) ?? $"{key}: per-channel symmetry broken: {layers[w].Name} ({Describe(layers[w])}) also writes the stream and has no parameters to scale");
            return null;
        }
        var first = parametrized[0];
        long channels = first.OutputShape[stream.ChannelDims[first.Index]];
        var outgoing = new List<UnitSlice>();
        var normalisers = new List<LayerInfo>();
        bool open = true;
        if (ReadsThroughConcatenations(stream, key, channels) is not { } reads) return null;
        foreach (var (read, dims, from, total) in reads)
        {
            var reader = layers[read.Reader];
            // Queries and keys are read by the logits: the attention rules (QueryKeyRescale, KeyBiasTranslation) count their groups.
            if (reader.Operation.IsAttention)
            {
                open = false;
                continue;
            }
            var why = ReadProblem(reader, Architecture.ShapeOf(read.Value), dims[read.Value], total);
            // Behind a concatenation only a normalisation of each channel alone ignores the scale of this stream's channels.
            if (why is null && total != channels && reader.Operation.Normalisation?.ScaleBlocks(reader, total) is long blocks && blocks != total)
                why = $"it normalises {blocks} groups of the {total} channels its concatenation joins";
            if (why is not null)
            {
                Stopped(reader.Index, $"per-channel symmetry of {key} ({channels} groups)", $"{key}: rescale symmetry broken by {reader.Name} ({why})");
                open = false;
                continue;
            }
            // Behind a concatenation the reader's columns from this stream's first channel there are compensated.
            if (reader.Operation.Reads == ChannelRead.WeightColumns)
                outgoing.Add(total == channels ? Slices.Reading(reader, channels) : Slices.Reading(reader, total) with { From = from, Take = channels });
            else normalisers.Add(reader);
        }
        if (!open) return null;
        int anchor = parametrized.Min(w => KeyNode(w.Index));
        return new StreamReading(stream, key, anchor, channels, parametrized, outgoing, normalisers);
    }

    // Every read of the stream's channels, seen through the concatenations along the channels that
    // read it: the read, the channel dimensions of the stream it reads, the position of the stream's
    // first channel in the tensor read and that tensor's channels. A concatenation joins each
    // input's channels to the others' at an offset (the channels of the inputs before it); its
    // readers read channel c of this stream at offset + c. Null (with a note) when a concatenation
    // does not pass the channels on one by one; null without one when its output reaches the loss.
    private List<(StreamRead Read, IReadOnlyDictionary<int, int> Dims, long From, long Total)>? ReadsThroughConcatenations(ChannelStream stream, string key, long channels)
    {
        var layers = Architecture.Layers;
        var reads = new List<(StreamRead, IReadOnlyDictionary<int, int>, long, long)>();
        var pending = new Queue<(ChannelStream Stream, StreamRead Read, long From, long Total)>(stream.Reads.Distinct().Select(r => (stream, r, 0L, channels)));
        while (pending.TryDequeue(out var p))
        {
            var concat = layers[p.Read.Reader];
            if (concat.Operation.Merge != Merge.Concat)
            {
                reads.Add((p.Read, p.Stream.ChannelDims, p.From, p.Total));
                continue;
            }
            int dim = p.Stream.ChannelDims[p.Read.Value];
            var joined = Streams.Single(s => s.Values.Contains(concat.Index));
            string? why = joined.ChannelDims[concat.Index] != dim || dim < 0
                ? $"it joins along {(joined.ChannelDims[concat.Index] < 0 ? "the batch" : $"dimension {joined.ChannelDims[concat.Index]}")}, the channels are along dimension {dim}"
                : !joined.Writers.SequenceEqual([concat.Index]) ? "its output is added to tensors other nodes write"
                : null;
            if (why is not null)
            {
                Stopped(concat.Index, $"per-channel symmetry of {key} ({channels} groups)", $"{key}: rescale symmetry broken by {concat.Name} (concatenation: {why})");
                return null;
            }
            if (joined.ReachesOutput) return null;
            long at = 0;
            foreach (int input in concat.Inputs)
            {
                if (input == p.Read.Value)
                    foreach (var r in joined.Reads) pending.Enqueue((joined, r, p.From + at, concat.OutputShape[dim]));
                at += Architecture.ShapeOf(input)[dim];
            }
        }
        return reads;
    }

    // Why reader does not see the channels of a stream one by one (null when it does), reading a
    // tensor of per-example shape `shape` whose channels lie along `dim`.
    private static string? ReadProblem(LayerInfo reader, long[] shape, int dim, long channels)
    {
        var op = reader.Operation;
        if (dim < 0) return "its input interleaves the channels with the token positions (a flatten of a token tensor)";
        if (op.Reads == ChannelRead.None) return Describe(reader);
        if (op.ReadAxis == ChannelAxis.Last && dim != shape.Length - 1)
            return $"a {op.Name} reads the last dimension of its input, the channels are along dimension {dim}";
        if (op.ReadAxis == ChannelAxis.First && dim != 0) return $"it reads dimension 0 of its input, the channels are along dimension {dim}";
        if (op.Reads == ChannelRead.WeightColumns)
        {
            long inputs = reader.Weight!.shape[1];
            if (op.ReadAxis == ChannelAxis.Last && shape.Length > 1 && inputs != channels) return $"it reads {inputs} features of tokens with {channels} channels";
            if (op.ReadAxis == ChannelAxis.Last && inputs % channels != 0) return $"its {inputs} inputs do not split into {channels} channels";
            if (op.ReadAxis != ChannelAxis.Last && inputs != channels) return $"it reads {inputs} of the {channels} channels per group";
        }
        if (op.Normalisation?.ScaleBlocks(reader, channels) is long blocks && (blocks < 1 || channels % blocks != 0))
            return $"it normalises {blocks} groups, which do not split {channels} channels";
        return null;
    }

    // A node whose output a per-channel scale can be made in: its own parameters per channel.
    private static bool Writes(LayerInfo l) => l.Operation.Writes != ChannelWrite.None && WriterProblem(l) is null;

    private static string? WriterProblem(LayerInfo l)
    {
        var op = l.Operation;
        if (op.Normalisation is not null && l.Parameters.Count == 0)
            return $"{l.Name}: normalisation without affine parameters; no rescale symmetry for the tensor it writes";
        if (op.Normalisation?.Over == NormalisedOver.Features && (l.Attribute<long[]>(NodeAttributes.NormalizedShape) is not [long n] || n != l.OutputShape[^1]))
            return $"{l.Name}: {op.Name} over several dimensions; no rescale symmetry for the tensor it writes";
        return op.NotAnalysed is { } why ? $"{l.Name}: {why}" : null;
    }

    /// <summary>How a node that breaks a symmetry is named in notes: "unknown module T" or its operation (<see cref="Operation.Describe"/>).</summary>
    public static string Describe(LayerInfo l) => l.Operation.Describe(l);
}
