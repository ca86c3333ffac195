namespace NeuralMechanics.Models;

/// <summary>The module types the symmetry analysis understands; anything else is <see cref="Unknown"/>.</summary>
public enum LayerKind
{
    Linear, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm,
    ReLU, LeakyReLU, Identity, Tanh, Sigmoid, GELU,
    MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout,
    Unknown,
}

/// <summary>Properties of layer kinds that decide which symmetries pass through them.</summary>
public static class LayerKinds
{
    /// <summary>Layers with weights that start or end a symmetry (Linear, Conv2d).</summary>
    public static bool IsParametrized(this LayerKind k) => k is LayerKind.Linear or LayerKind.Conv2d;

    /// <summary>Normalisations (their γ, β are parameters too).</summary>
    public static bool IsNorm(this LayerKind k) => k is LayerKind.BatchNorm1d or LayerKind.BatchNorm2d or LayerKind.LayerNorm;

    /// <summary>
    /// Positively homogeneous and acting per unit/channel: f(αx) = αf(x) for α &gt; 0, channel c
    /// of the output depending on channel c of the input only. A rescale symmetry crosses these.
    /// </summary>
    public static bool IsHomogeneousPerChannel(this LayerKind k) => k is LayerKind.ReLU or LayerKind.LeakyReLU
        or LayerKind.Identity or LayerKind.MaxPool2d or LayerKind.AvgPool2d or LayerKind.AdaptiveAvgPool2d
        or LayerKind.Flatten or LayerKind.Dropout;
}
