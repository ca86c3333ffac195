namespace NeuralMechanics.Models;

/// <summary>
/// What the symmetry analysis knows a node of the architecture graph as (docs/design.md, "The
/// architecture graph"): a parametrized layer, a parameter-free operation, a merge of several
/// tensors, or <see cref="Unknown"/> for a module that does not describe its inside.
/// </summary>
public enum LayerKind
{
    Linear, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm,
    ReLU, LeakyReLU, Identity, Tanh, Sigmoid, GELU,
    MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout,
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
