using System.Reflection;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace NeuralMechanics.Models;

/// <summary>
/// The table of operations (docs/design.md, "The architecture graph"): one row per operation the
/// symmetry analysis knows, saying what it does to channels (<see cref="Operation"/>) and which
/// TorchSharp modules it is. Adding an operation is adding a row here; nothing else in the
/// analysis names an operation.
/// </summary>
public static class Operations
{
    /// <summary>A fully connected layer y = Wx + b on the last dimension (weight [out, in], bias [out]).</summary>
    public static readonly Operation Linear = new("Linear")
    {
        Output = ChannelAxis.Last, Writes = ChannelWrite.Rows, Reads = ChannelRead.WeightColumns, ReadAxis = ChannelAxis.Last,
        Shifts = ShiftSlices.InputColumnsAndBias, FromModule = Operation.Module<Linear>(),
    };

    /// <summary>A 2-D convolution (weight [out channels, in channels / groups, kH, kW], bias [out channels]).</summary>
    public static readonly Operation Conv2d = new("Conv2d")
    {
        Output = ChannelAxis.First, Writes = ChannelWrite.Rows, Reads = ChannelRead.WeightColumns, ReadAxis = ChannelAxis.First,
        Shifts = ShiftSlices.InputColumnsAndBias,
        FromModule = Operation.Module<Conv2d>(m => new() { [NodeAttributes.Groups] = (long)m.groups }),
    };

    private static readonly Normalisation Batch = new("BatchNorm", NormalisedOver.Channel, RemovesMean: true, "divides each channel by its batch std");

    /// <summary>Batch normalisation of each feature/channel of an [N, C] or [N, C, L] input (γ, β per channel).</summary>
    public static readonly Operation BatchNorm1d = new("BatchNorm1d")
    {
        Output = ChannelAxis.First, Writes = ChannelWrite.Rows, Reads = ChannelRead.Normalises, ReadAxis = ChannelAxis.First, Normalisation = Batch,
        FromModule = Operation.Module<BatchNorm1d>(m => new() { [NodeAttributes.Eps] = (double)m.eps }),
    };

    /// <summary>Batch normalisation of each channel of an [N, C, H, W] input (γ, β per channel).</summary>
    public static readonly Operation BatchNorm2d = BatchNorm1d with
    {
        Name = "BatchNorm2d", FromModule = Operation.Module<BatchNorm2d>(m => new() { [NodeAttributes.Eps] = (double)m.eps }),
    };

    /// <summary>Layer normalisation of each example over its last dimension (γ, β per feature).</summary>
    public static readonly Operation LayerNorm = new("LayerNorm")
    {
        Output = ChannelAxis.Last, Writes = ChannelWrite.Rows, Reads = ChannelRead.Normalises, ReadAxis = ChannelAxis.Kept,
        Normalisation = new("LayerNorm", NormalisedOver.Features, RemovesMean: true, "divides by the norm of the whole layer"),
        FromModule = Operation.Module<LayerNorm>(m => new() { [NodeAttributes.NormalizedShape] = m.normalized_shape, [NodeAttributes.Eps] = (double)m.eps }),
    };

    /// <summary>Group normalisation: each example's channels in groups (<see cref="NodeAttributes.Groups"/>), each group normalised over its channels and positions (γ, β per channel).</summary>
    public static readonly Operation GroupNorm = new("GroupNorm")
    {
        Output = ChannelAxis.First, Writes = ChannelWrite.Rows, Reads = ChannelRead.Normalises, ReadAxis = ChannelAxis.First,
        Normalisation = new("GroupNorm", NormalisedOver.ChannelGroups, RemovesMean: true, "divides each group of channels by its spread"),
        FromModule = Operation.Module<GroupNorm>(m => new() { [NodeAttributes.Groups] = (long)m.num_groups, [NodeAttributes.Eps] = (double)m.eps }),
    };

    /// <summary>A lookup table (its rows are read by index; features are the last dimension).</summary>
    public static readonly Operation Embedding = new("Embedding")
    {
        Output = ChannelAxis.Last, FromModule = Operation.Module<Embedding>(),
        NotAnalysed = "an Embedding writes features along the last dimension; per-channel symmetries of its output are not analysed",
    };

    /// <summary>The rectified linear unit max(0, x), elementwise.</summary>
    public static readonly Operation ReLU = new("ReLU") { Homogeneous = true, Output = ChannelAxis.Kept, FromModule = Operation.Module<ReLU>() };

    /// <summary>The leaky rectifier max(x, a·x) with a small slope a, elementwise.</summary>
    public static readonly Operation LeakyReLU = new("LeakyReLU")
    {
        Homogeneous = true, Output = ChannelAxis.Kept, FromModule = m => m is TorchSharp.Modules.LeakyReLU or HeldLeakyReLU ? new Dictionary<string, object>() : null,
    };

    /// <summary>The identity: its output is its input.</summary>
    public static readonly Operation Identity = new("Identity")
    {
        Homogeneous = true, Output = ChannelAxis.Kept, PassesShift = true, IsIdentity = true, FromModule = Operation.Module<Identity>(),
    };

    /// <summary>The hyperbolic tangent, elementwise.</summary>
    public static readonly Operation Tanh = new("Tanh") { FromModule = Operation.Module<Tanh>() };

    /// <summary>The logistic sigmoid 1/(1 + e^{−x}), elementwise.</summary>
    public static readonly Operation Sigmoid = new("Sigmoid") { FromModule = Operation.Module<Sigmoid>() };

    /// <summary>min(max(x, 0), 6) (ONNX Clip, MobileNetV2's activation): not positively homogeneous, so it stops a rescale.</summary>
    public static readonly Operation ReLU6 = new("ReLU6") { FromModule = Operation.Module<ReLU6>() };

    /// <summary>The Gaussian error linear unit x·Φ(x), elementwise.</summary>
    public static readonly Operation GELU = new("GELU") { FromModule = Operation.Module<GELU>() };

    /// <summary>2-D max pooling: the maximum of each window of each channel.</summary>
    public static readonly Operation MaxPool2d = new("MaxPool2d") { Homogeneous = true, Output = ChannelAxis.Kept, FromModule = Operation.Module<MaxPool2d>() };

    /// <summary>2-D average pooling: the mean of each window of each channel.</summary>
    public static readonly Operation AvgPool2d = new("AvgPool2d") { Homogeneous = true, Output = ChannelAxis.Kept, FromModule = Operation.Module<AvgPool2d>() };

    /// <summary>2-D average pooling of each channel to a fixed output size.</summary>
    public static readonly Operation AdaptiveAvgPool2d = new("AdaptiveAvgPool2d")
    {
        Homogeneous = true, Output = ChannelAxis.Kept, FromModule = Operation.Module<AdaptiveAvgPool2d>(),
    };

    /// <summary>Flattens each example's features into one dimension.</summary>
    public static readonly Operation Flatten = new("Flatten") { Homogeneous = true, Output = ChannelAxis.Flattened, FromModule = Operation.Module<Flatten>() };

    /// <summary>Dropout: zeroes random elements in training and rescales the rest (the identity in evaluation).</summary>
    public static readonly Operation Dropout = new("Dropout") { Homogeneous = true, Output = ChannelAxis.Kept, FromModule = Operation.Module<Dropout>() };

    /// <summary>A learned positional embedding x + P (<see cref="PositionalEmbedding"/>): it carries the token stream and writes into it.</summary>
    public static readonly Operation PositionalEmbedding = new("PositionalEmbedding")
    {
        CarriedInput = 0, Output = ChannelAxis.Last, Writes = ChannelWrite.WeightColumns, Shifts = ShiftSlices.WeightRows, PassesShift = true,
        FromModule = Operation.Module<PositionalEmbedding>(),
    };

    /// <summary>Elementwise sum of tensors of one shape (the residual add).</summary>
    public static readonly Operation Add = new("Add") { Homogeneous = true, Merge = Merge.Add, Output = ChannelAxis.Kept, PassesShift = true };

    /// <summary>Concatenation of tensors along one dimension (<see cref="NodeAttributes.Dim"/>).</summary>
    public static readonly Operation Concat = new("Concat") { Merge = Merge.Concat, Output = ChannelAxis.Joined, Description = "concatenation" };

    /// <summary>A reshape other than <see cref="Flatten"/> (the elements keep their values, not their positions).</summary>
    public static readonly Operation Reshape = new("Reshape");

    /// <summary>Image features [C, H, W] as tokens [H·W, C]: each channel keeps its values and moves to the last dimension.</summary>
    public static readonly Operation Tokens = new("Tokens") { Homogeneous = true, Output = ChannelAxis.Last, PassesShift = true };

    /// <summary>The mean over tokens, [T, D] → [D].</summary>
    public static readonly Operation TokenMean = new("TokenMean") { Homogeneous = true, Output = ChannelAxis.TokensAveraged, PassesShift = true };

    /// <summary>Multi-head scaled dot-product attention of inputs q, k, v (<see cref="NodeAttributes.Heads"/> heads).</summary>
    public static readonly Operation Attention = new("Attention") { CarriedInput = 2, Output = ChannelAxis.Last, IsAttention = true };

    /// <summary>A module of a type the analysis does not know and that does not describe its inside.</summary>
    public static readonly Operation Unknown = new("Unknown") { Opaque = true };

    /// <summary>Every row of the table, in the order they are declared.</summary>
    public static readonly IReadOnlyList<Operation> All = typeof(Operations).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(Operation)).Select(f => (Operation)f.GetValue(null)!).ToList();

    /// <summary>The operation <paramref name="module"/> is and its attributes; <see cref="Unknown"/> for types no row recognises.</summary>
    public static (Operation Operation, IReadOnlyDictionary<string, object> Attributes) Of(nn.Module module)
    {
        foreach (var op in All)
            if (op.FromModule?.Invoke(module) is { } attributes) return (op, attributes);
        return (Unknown, new Dictionary<string, object>());
    }
}
