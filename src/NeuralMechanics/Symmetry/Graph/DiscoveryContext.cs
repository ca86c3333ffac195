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
    /// The name a set is known by when node <paramref name="writer"/> starts it: the writer, or for a
    /// normalisation that only a Linear/Conv2d feeds, that layer (conv5 → bn5 → relu5 → conv6 is "conv5").
    /// </summary>
    public int KeyNode(int writer)
    {
        var l = Architecture.Layers[writer];
        if (l.Kind.IsNorm() && l.Inputs is [int feeder] && feeder != Architecture.NetworkInput
            && Architecture.Layers[feeder].Kind.IsParametrized() && Architecture.Consumers(feeder).Count == 1)
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
        string key = string.Join("+", parametrized.Select(w => layers[KeyNode(w.Index)].Name));
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
        var batchNorms = new List<LayerInfo>();
        var layerNorms = new List<LayerInfo>();
        bool open = true;
        foreach (var read in stream.Reads)
        {
            var reader = layers[read.Reader];
            var shape = Architecture.ShapeOf(read.Value);
            int dim = stream.ChannelDims[read.Value];
            // Queries and keys are read by the logits: the attention rules (QueryKeyRescale, KeyBiasTranslation) count their groups.
            if (reader.Kind == LayerKind.Attention && read.Value != reader.Inputs[2])
            {
                open = false;
                continue;
            }
            string? why = reader.Kind switch
            {
                _ when dim < 0 => "its input interleaves the channels with the token positions (a flatten of a token tensor)",
                LayerKind.Linear when dim != shape.Length - 1 => $"a Linear reads the last dimension of its input, the channels are along dimension {dim}",
                LayerKind.Linear when shape.Length > 1 && reader.Weight!.shape[1] != channels => $"it reads {reader.Weight!.shape[1]} features of tokens with {channels} channels",
                LayerKind.Linear when reader.Weight!.shape[1] % channels != 0 => $"its {reader.Weight!.shape[1]} inputs do not split into {channels} channels",
                LayerKind.Conv2d or LayerKind.BatchNorm1d or LayerKind.BatchNorm2d when dim != 0 => $"it reads dimension 0 of its input, the channels are along dimension {dim}",
                LayerKind.Conv2d when reader.Weight!.shape[1] != channels => $"it reads {reader.Weight!.shape[1]} of the {channels} channels per group",
                LayerKind.Linear or LayerKind.Conv2d or LayerKind.BatchNorm1d or LayerKind.BatchNorm2d or LayerKind.LayerNorm => null,
                _ => Describe(reader),
            };
            if (why is not null)
            {
                Stopped(reader.Index, $"per-channel symmetry of {key} ({channels} groups)", $"{key}: rescale symmetry broken by {reader.Name} ({why})");
                open = false;
                continue;
            }
            if (reader.Kind.IsParametrized()) outgoing.Add(Slices.Reading(reader, channels));
            else if (reader.Kind.IsBatchNorm()) batchNorms.Add(reader);
            else layerNorms.Add(reader);
        }
        if (!open) return null;
        int anchor = parametrized.Min(w => KeyNode(w.Index));
        return new StreamReading(stream, key, anchor, channels, parametrized, outgoing, batchNorms, layerNorms);
    }

    // A node whose output a per-channel scale can be made in: its own parameters per channel.
    private static bool Writes(LayerInfo l) => WriterProblem(l) is null && l.Kind switch
    {
        LayerKind.Linear or LayerKind.Conv2d or LayerKind.BatchNorm1d or LayerKind.BatchNorm2d or LayerKind.LayerNorm or LayerKind.PositionalEmbedding => true,
        _ => false,
    };

    private static string? WriterProblem(LayerInfo l) => l.Kind switch
    {
        LayerKind.BatchNorm1d or LayerKind.BatchNorm2d or LayerKind.LayerNorm when l.Parameters.Count == 0 =>
            $"{l.Name}: normalisation without affine parameters; no rescale symmetry for the tensor it writes",
        LayerKind.LayerNorm when l.Module is not TorchSharp.Modules.LayerNorm { normalized_shape: [long n] } || n != l.OutputShape[^1] =>
            $"{l.Name}: LayerNorm over several dimensions; no rescale symmetry for the tensor it writes",
        LayerKind.Embedding =>
            $"{l.Name}: an Embedding writes features along the last dimension; per-channel symmetries of its output are not analysed",
        _ => null,
    };

    /// <summary>How a node that breaks a symmetry is named in notes: "unknown module T" or its kind.</summary>
    public static string Describe(LayerInfo l) => l.Kind switch
    {
        LayerKind.Unknown => $"unknown module {l.TypeName}",
        LayerKind.Concat => "concatenation: channels change position, not analysed",
        _ => l.Kind.ToString(),
    };
}
