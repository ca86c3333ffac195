using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// The two training losses. Which one is used matters to the symmetry analysis: softmax with
/// cross-entropy has a translation symmetry in the final layer, mean-squared error has none.
/// </summary>
public static class Losses
{
    /// <summary>Name of the cross-entropy loss in options and manifests.</summary>
    public const string CrossEntropyName = "cross-entropy";
    /// <summary>Name of the mean-squared-error loss in options and manifests.</summary>
    public const string MeanSquaredErrorName = "mse";

    /// <summary>Mean over the batch of −log softmax(logits)[label]; logits [N, C], labels [N] (int64).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        CheckShapes(logits, labels);
        return nn.functional.cross_entropy(logits, labels);
    }

    /// <summary>
    /// Mean over all N·C elements of (output − onehot(label))², like <c>torch.nn.MSELoss()</c>
    /// against one-hot targets; outputs [N, C], labels [N] (int64).
    /// </summary>
    public static Tensor MeanSquaredError(Tensor outputs, Tensor labels)
    {
        CheckShapes(outputs, labels);
        using var scope = NewDisposeScope();
        var targets = nn.functional.one_hot(labels, outputs.shape[1]).to(outputs.dtype);
        return nn.functional.mse_loss(outputs, targets).MoveToOuterDisposeScope();
    }

    /// <summary>The loss called <paramref name="name"/>: "cross-entropy" or "mse".</summary>
    /// <exception cref="InvalidInputException">Any other name.</exception>
    public static Func<Tensor, Tensor, Tensor> ByName(string name) => name switch
    {
        CrossEntropyName => CrossEntropy,
        MeanSquaredErrorName => MeanSquaredError,
        _ => throw new InvalidInputException($"loss: expected {CrossEntropyName} or {MeanSquaredErrorName}, found '{name}'"),
    };

    private static void CheckShapes(Tensor outputs, Tensor labels)
    {
        if (outputs.dim() != 2 || labels.dim() != 1 || labels.shape[0] != outputs.shape[0])
            throw new ArgumentException($"expected outputs [N, C] and labels [N], found [{string.Join(", ", outputs.shape)}] and [{string.Join(", ", labels.shape)}]");
    }
}
