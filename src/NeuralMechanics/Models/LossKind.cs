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
    public static string Name(this LossKind k) => k == LossKind.CrossEntropy ? "cross-entropy" : "mse";

    public static LossKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "cross-entropy" or "ce" or "crossentropy" => LossKind.CrossEntropy,
        "mse" => LossKind.MeanSquaredError,
        _ => throw new InvalidInputException($"--loss: expected cross-entropy or mse, found '{name}'"),
    };
}
