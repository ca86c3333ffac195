namespace NeuralMechanics.Models;

/// <summary>
/// What the symmetry analysis knows a node of the architecture graph as (docs/design.md, "The
/// architecture graph"): a parametrized layer, a parameter-free operation, a merge of several
/// tensors, or <see cref="Unknown"/> for a module that does not describe its inside.
/// </summary>
public enum LayerKind
{
    /// <summary>A fully connected layer y = Wx + b (weight [out, in], bias [out]).</summary>
    Linear,
    /// <summary>A 2-D convolution (weight [out channels, in channels, kH, kW], bias [out channels]).</summary>
    Conv2d,
    /// <summary>Batch normalisation of each feature/channel of an [N, C] or [N, C, L] input (γ, β per channel).</summary>
    BatchNorm1d,
    /// <summary>Batch normalisation of each channel of an [N, C, H, W] input (γ, β per channel).</summary>
    BatchNorm2d,
    /// <summary>Layer normalisation of each example over its last dimension (γ, β per feature).</summary>
    LayerNorm,
    /// <summary>The rectified linear unit max(0, x), elementwise.</summary>
    ReLU,
    /// <summary>The leaky rectifier max(x, a·x) with a small slope a, elementwise.</summary>
    LeakyReLU,
    /// <summary>The identity: its output is its input.</summary>
    Identity,
    /// <summary>The hyperbolic tangent, elementwise.</summary>
    Tanh,
    /// <summary>The logistic sigmoid 1/(1 + e^{−x}), elementwise.</summary>
    Sigmoid,
    /// <summary>The Gaussian error linear unit x·Φ(x), elementwise.</summary>
    GELU,
    /// <summary>2-D max pooling: the maximum of each window of each channel.</summary>
    MaxPool2d,
    /// <summary>2-D average pooling: the mean of each window of each channel.</summary>
    AvgPool2d,
    /// <summary>2-D average pooling of each channel to a fixed output size.</summary>
    AdaptiveAvgPool2d,
    /// <summary>Flattens each example's features into one dimension.</summary>
    Flatten,
    /// <summary>Dropout: zeroes random elements in training and rescales the rest (the identity in evaluation).</summary>
    Dropout,
    /// <summary>A module of a type the analysis does not know and that does not describe its inside.</summary>
    Unknown,
    /// <summary>A lookup table (its rows are read by index; features are the last dimension).</summary>
    Embedding,
    /// <summary>Elementwise sum of tensors of one shape (the residual add).</summary>
    Add,
    /// <summary>Concatenation of tensors along one dimension.</summary>
    Concat,
    /// <summary>A reshape other than <see cref="Flatten"/> (the elements keep their values, not their positions).</summary>
    Reshape,
    /// <summary>Image features [C, H, W] as tokens [H·W, C]: each channel keeps its values and moves to the last dimension.</summary>
    Tokens,
    /// <summary>The mean over tokens, [T, D] → [D].</summary>
    TokenMean,
    /// <summary>Multi-head scaled dot-product attention of inputs q, k, v (<see cref="LayerInfo.Heads"/> heads).</summary>
    Attention,
    /// <summary>A learned positional embedding x + P (<see cref="PositionalEmbedding"/>): it carries the token stream and writes into it.</summary>
    PositionalEmbedding,
}

/// <summary>Properties of layer kinds that decide which symmetries pass through them.</summary>
public static class LayerKinds
{
    /// <summary>Layers with weights that start or end a symmetry (Linear, Conv2d).</summary>
    public static bool IsParametrized(this LayerKind k) => k is LayerKind.Linear or LayerKind.Conv2d;

    /// <summary>Normalisations (their γ, β are parameters too).</summary>
    public static bool IsNorm(this LayerKind k) => k is LayerKind.BatchNorm1d or LayerKind.BatchNorm2d or LayerKind.LayerNorm;

    /// <summary>BatchNorm (1d or 2d): in training mode it removes each channel's batch mean and divides by its batch std.</summary>
    public static bool IsBatchNorm(this LayerKind k) => k is LayerKind.BatchNorm1d or LayerKind.BatchNorm2d;

    /// <summary>
    /// Positively homogeneous and acting per unit/channel: f(αx) = αf(x) for α &gt; 0, channel c
    /// of the output depending on channel c of the input only. A rescale symmetry crosses these.
    /// </summary>
    public static bool IsHomogeneousPerChannel(this LayerKind k) => k is LayerKind.ReLU or LayerKind.LeakyReLU
        or LayerKind.Identity or LayerKind.MaxPool2d or LayerKind.AvgPool2d or LayerKind.AdaptiveAvgPool2d
        or LayerKind.Flatten or LayerKind.Dropout or LayerKind.Tokens or LayerKind.TokenMean;
}
