namespace NeuralMechanics.Models;

/// <summary>The training loss; it decides whether the final layer has translation symmetry.</summary>
public enum LossKind
{
    /// <summary>Softmax + cross-entropy: invariant to adding a constant to all logits.</summary>
    CrossEntropy,
    /// <summary>Mean-squared error against one-hot targets: no translation symmetry.</summary>
    MeanSquaredError,
}

/// <summary>Names of losses on the command line and in manifests.</summary>
public static class LossKindNames
{
    /// <summary>The loss's name: cross-entropy or mse.</summary>
    /// <param name="k">The loss.</param>
    /// <returns>Its name on the command line and in manifests.</returns>
    public static string Name(this LossKind k) => k == LossKind.CrossEntropy ? "cross-entropy" : "mse";

    /// <summary>Parses cross-entropy (or ce, crossentropy) or mse, in any case.</summary>
    /// <param name="name">The name, e.g. from <c>--loss</c>.</param>
    /// <returns>The loss it names.</returns>
    /// <exception cref="InvalidInputException">Another name.</exception>
    public static LossKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "cross-entropy" or "ce" or "crossentropy" => LossKind.CrossEntropy,
        "mse" => LossKind.MeanSquaredError,
        _ => throw new InvalidInputException($"--loss: expected cross-entropy or mse, found '{name}'"),
    };
}
