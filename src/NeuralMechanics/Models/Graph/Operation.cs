using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// What one operation of the architecture graph does to channels (docs/design.md, "The
/// architecture graph"): whether its output continues a channel stream of its inputs, along which
/// dimension its output's channels lie, whether it writes channels with parameters or reads them
/// with weights, whether it normalises them, and whether a uniform shift passes through it. The
/// symmetry analysis reads only these properties; every operation is one row of
/// <see cref="Operations"/>.
/// </summary>
/// <param name="Name">The operation's name in notes and node descriptions (Linear, BatchNorm2d, ReLU, …).</param>
/// <param name="Homogeneous">Positively homogeneous and acting per channel: f(αx) = αf(x) for α &gt; 0, channel c of the output depending on channel c of the inputs only. Its output continues the stream of every input (ReLU, pooling, flatten, dropout, tokens, the residual add); a rescale crosses it.</param>
/// <param name="CarriedInput">For an operation that is not <see cref="Homogeneous"/>: the one input whose channels its output continues, channel by channel (attention: its values, input 2; a positional embedding x + P: its tokens, input 0); null when none.</param>
/// <param name="Merge">Whether it joins several tensors, and how.</param>
/// <param name="Output">Along which dimension its output's channels lie.</param>
/// <param name="Writes">How it makes the channels of its output from its own parameters (a writer of a stream), if it does.</param>
/// <param name="Reads">How it reads the channels of its input, if it reads them in a way a symmetry survives.</param>
/// <param name="ReadAxis">The dimension of its input whose channels it reads; <see cref="ChannelAxis.Kept"/> for any.</param>
/// <param name="Normalisation">The normalisation it applies, or null.</param>
/// <param name="Shifts">The slices of its parameters whose shift adds one constant to every channel of its output (read by a normalisation that removes the mean over features, each is a translation group).</param>
/// <param name="PassesShift">Whether a shift uniform across the channels of a token (or an example) leaves it still uniform (identity, add, tokens, token mean, x + P).</param>
/// <param name="IsIdentity">Whether its output equals its input.</param>
/// <param name="IsAttention">Multi-head attention of queries, keys and values (inputs 0, 1, 2): the logits read the queries and keys (the attention rules count their groups), the output is linear in the values.</param>
/// <param name="Opaque">A module the analysis cannot see into: it is named in the notes with what it stops.</param>
/// <param name="NotAnalysed">Why a per-channel symmetry of a tensor it writes is not analysed (said in the notes), or null.</param>
/// <param name="Description">How a node of this operation that stops a symmetry is described in notes (its name when null).</param>
/// <param name="FromModule">Recognises a TorchSharp module as this operation: its attributes (<see cref="NodeAttributes"/>) when the module is one, null otherwise. Null for operations only a block's description or an importer makes.</param>
public sealed record Operation(
    string Name,
    bool Homogeneous = false,
    int? CarriedInput = null,
    Merge Merge = Merge.None,
    ChannelAxis Output = ChannelAxis.First,
    ChannelWrite Writes = ChannelWrite.None,
    ChannelRead Reads = ChannelRead.None,
    ChannelAxis ReadAxis = ChannelAxis.First,
    Normalisation? Normalisation = null,
    ShiftSlices Shifts = ShiftSlices.None,
    bool PassesShift = false,
    bool IsIdentity = false,
    bool IsAttention = false,
    bool Opaque = false,
    string? NotAnalysed = null,
    string? Description = null,
    Func<nn.Module, IReadOnlyDictionary<string, object>?>? FromModule = null)
{
    /// <summary>A Linear-like map of the last dimension: a weight [out, in] reading the features, a bias per output.</summary>
    public bool MapsFeatures => Reads == ChannelRead.WeightColumns && Output == ChannelAxis.Last;

    /// <summary>The inputs of <paramref name="node"/> whose stream its output continues.</summary>
    public IEnumerable<int> Carried(LayerInfo node) =>
        Homogeneous ? node.Inputs : CarriedInput is int i ? [node.Inputs[i]] : [];

    /// <summary>
    /// The dimension of <paramref name="node"/>'s per-example output that indexes its channels,
    /// given that of the input it carries (<paramref name="carried"/>); −1 where the channels are
    /// interleaved with other positions.
    /// </summary>
    public int OutputChannelDim(LayerInfo node, int carried) => Output switch
    {
        ChannelAxis.Last => node.OutputShape.Length - 1,
        ChannelAxis.Kept => carried,
        ChannelAxis.Flattened => carried == 0 ? 0 : -1,
        ChannelAxis.TokensAveraged => carried == node.InputShape.Length - 1 ? 0 : -1,
        ChannelAxis.Joined => node.Attributes.TryGetValue(NodeAttributes.Dim, out var d) && d is long dim && dim >= 0 ? (int)dim : -1,
        _ => 0,
    };

    /// <summary>How a node of this operation that stops a symmetry is named in notes.</summary>
    public string Describe(LayerInfo node) => Opaque ? $"unknown module {node.TypeName}" : Description ?? Name;

    /// <summary>Recognises modules of type <typeparamref name="T"/>, with the attributes <paramref name="attributes"/> reads from one.</summary>
    public static Func<nn.Module, IReadOnlyDictionary<string, object>?> Module<T>(Func<T, Dictionary<string, object>>? attributes = null) where T : nn.Module =>
        m => m is T t ? attributes?.Invoke(t) ?? [] : null;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Where the channels of an operation's output (or the input it reads) lie.</summary>
public enum ChannelAxis
{
    /// <summary>Dimension 0 (images [C, H, W], 1-D features).</summary>
    First,
    /// <summary>The last dimension (features of tokens [T, D]).</summary>
    Last,
    /// <summary>Where they lie in the carried input (for a read: any dimension).</summary>
    Kept,
    /// <summary>A flatten: still dimension 0 when they were, else interleaved with positions.</summary>
    Flattened,
    /// <summary>A mean over tokens [T, D] → [D]: dimension 0 when they were the last, else gone.</summary>
    TokensAveraged,
    /// <summary>The dimension a concatenation joins along (<see cref="NodeAttributes.Dim"/>; −1 for the batch).</summary>
    Joined,
}

/// <summary>How a node joins several tensors.</summary>
public enum Merge
{
    /// <summary>It reads one tensor, or several without joining them.</summary>
    None,
    /// <summary>Elementwise sum: every summand carries the same per-channel scale.</summary>
    Add,
    /// <summary>Concatenation: channel c of input i is channel c + (the channels of inputs before i) of the output; discovery follows each input's channels to their readers there.</summary>
    Concat,
}

/// <summary>How a writer makes channel c of its output from its parameters.</summary>
public enum ChannelWrite
{
    /// <summary>It does not (no parameters per channel).</summary>
    None,
    /// <summary>Row c of every parameter: weight and bias of a Linear/Conv, γ_c and β_c of a norm.</summary>
    Rows,
    /// <summary>Column c of its weight (a positional embedding's P [T, D]).</summary>
    WeightColumns,
}

/// <summary>How a reader sees the channels of its input.</summary>
public enum ChannelRead
{
    /// <summary>Not in a way a per-channel symmetry survives (it stops one).</summary>
    None,
    /// <summary>With the columns of its weight [out, in, …] that read channel c (compensated by 1/α in a rescale).</summary>
    WeightColumns,
    /// <summary>It normalises them: it ignores a scale (<see cref="Normalisation"/>).</summary>
    Normalises,
}

/// <summary>The slices of a parameter whose shift adds one constant to every channel of the output.</summary>
public enum ShiftSlices
{
    /// <summary>None.</summary>
    None,
    /// <summary>Input column j of the weight (that input across every output) and the whole bias vector.</summary>
    InputColumnsAndBias,
    /// <summary>Row t of the weight (a positional embedding's token row).</summary>
    WeightRows,
}

/// <summary>What a normalisation computes its statistics over.</summary>
public enum NormalisedOver
{
    /// <summary>Each channel by its statistics over the batch and positions (BatchNorm in training mode).</summary>
    Channel,
    /// <summary>Each example (token) over its features, the normalised last dimensions (LayerNorm).</summary>
    Features,
    /// <summary>Each example over each group of channels and the positions (GroupNorm; <see cref="NodeAttributes.Groups"/> groups).</summary>
    ChannelGroups,
}

/// <summary>A normalisation: what it divides by, whether it removes the mean first, and how the notes say so.</summary>
/// <param name="Family">Its family in notes: BatchNorm, LayerNorm, GroupNorm.</param>
/// <param name="Over">What it normalises over.</param>
/// <param name="RemovesMean">Whether it subtracts the mean (then a shift there is a translation symmetry).</param>
/// <param name="Effect">What it does to a scale, for origins ("divides each channel by its batch std").</param>
public sealed record Normalisation(string Family, NormalisedOver Over, bool RemovesMean, string Effect)
{
    /// <summary>
    /// Into how many blocks of consecutive channels it splits <paramref name="channels"/> channels
    /// read by <paramref name="node"/>, each block's common scale ignored: every channel alone
    /// (BatchNorm), one block (LayerNorm), its groups (GroupNorm).
    /// </summary>
    public long ScaleBlocks(LayerInfo node, long channels) => Over switch
    {
        NormalisedOver.Channel => channels,
        NormalisedOver.ChannelGroups => node.Attribute<long>(NodeAttributes.Groups),
        _ => 1,
    };

    /// <summary>
    /// The blocks of <paramref name="channels"/> channels whose common scale (and, for those that
    /// remove it, mean) every one of <paramref name="normalisers"/> ignores: the greatest common
    /// divisor of their <see cref="ScaleBlocks"/>; <paramref name="channels"/> when there are none.
    /// </summary>
    public static long CommonBlocks(IEnumerable<LayerInfo> normalisers, long channels) =>
        normalisers.Aggregate(channels, (g, n) => Gcd(g, n.Operation.Normalisation!.ScaleBlocks(n, channels)));

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}

/// <summary>Names of the attributes a node may carry (<see cref="LayerInfo.Attributes"/>), as PyTorch and ONNX name them.</summary>
public static class NodeAttributes
{
    /// <summary>The normalised trailing shape of a LayerNorm (long[]).</summary>
    public const string NormalizedShape = "normalized_shape";
    /// <summary>A normalisation's ε (double).</summary>
    public const string Eps = "eps";
    /// <summary>Groups of a convolution or a GroupNorm (long).</summary>
    public const string Groups = "groups";
    /// <summary>Attention heads (long).</summary>
    public const string Heads = "heads";
    /// <summary>A convolution's or pooling's stride (long[]).</summary>
    public const string Stride = "stride";
    /// <summary>A convolution's or pooling's kernel size (long[]).</summary>
    public const string KernelSize = "kernel_size";
    /// <summary>The per-example dimension a concatenation joins along (long).</summary>
    public const string Dim = "dim";
}
