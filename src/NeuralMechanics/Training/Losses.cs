using NeuralMechanics.Models;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// The two training losses. Which one is used matters to the symmetry analysis: softmax with
/// cross-entropy has a translation symmetry in the final layer, mean-squared error has none.
/// </summary>
public static class Losses
{
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

    /// <summary>The loss function of <paramref name="kind"/> (names: <see cref="LossKindNames"/>).</summary>
    public static Func<Tensor, Tensor, Tensor> For(LossKind kind) => kind == LossKind.CrossEntropy ? CrossEntropy : MeanSquaredError;

    /// <summary>
    /// ℓ(outputs_s, k) for every row s and every label k, [N, C]: cross-entropy −log softmax(z)_k,
    /// mean-squared error (|z|² − 2z_k + 1)/C (the loss of one example against onehot(k), as
    /// <see cref="For"/> computes it). The conservation-law count weights these by random numbers.
    /// </summary>
    internal static Tensor EveryLabel(LossKind kind, Tensor outputs)
    {
        if (kind == LossKind.CrossEntropy) return -nn.functional.log_softmax(outputs, 1);
        using var scope = NewDisposeScope();
        var squares = outputs.square().sum(1, keepdim: true);
        using TorchSharp.Scalar two = 2.0;
        using TorchSharp.Scalar one = 1.0;
        using TorchSharp.Scalar classes = (double)outputs.shape[1];
        return ((squares - outputs.mul(two)).add(one)).div(classes).MoveToOuterDisposeScope();
    }

    private static void CheckShapes(Tensor outputs, Tensor labels)
    {
        if (outputs.dim() != 2 || labels.dim() != 1 || labels.shape[0] != outputs.shape[0])
            throw new ArgumentException($"expected outputs [N, C] and labels [N], found [{string.Join(", ", outputs.shape)}] and [{string.Join(", ", labels.shape)}]");
    }
}
