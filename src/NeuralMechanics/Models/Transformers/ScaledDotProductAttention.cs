using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// Multi-head scaled dot-product attention on projected tokens: per head h (features
/// h·d_h … (h+1)·d_h − 1 of q, k, v), out = softmax over keys of q·k/√d_h, times v; the heads'
/// outputs side by side. One definition, used by <see cref="MultiHeadAttention.forward"/> and by
/// <see cref="GraphBuilder.Attention"/>, so the description computes exactly the forward.
/// </summary>
public static class ScaledDotProductAttention
{
    /// <summary>Attention of q, k, v ([B, T, d] each) with <paramref name="heads"/> heads: [B, T, d].</summary>
    /// <exception cref="InvalidInputException">Shapes that differ, or d not divisible by the heads.</exception>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, long heads)
    {
        if (q.dim() != 3 || !q.shape.SequenceEqual(k.shape) || !q.shape.SequenceEqual(v.shape) || heads < 1 || q.shape[2] % heads != 0)
            throw new InvalidInputException($"attention: expected q, k, v of one shape [B, T, d] with d divisible by {heads} heads, found [{string.Join("x", q.shape)}], [{string.Join("x", k.shape)}], [{string.Join("x", v.shape)}]");
        long b = q.shape[0], t = q.shape[1], d = q.shape[2], dh = d / heads;
        Tensor Split(Tensor x) => x.view(b, t, heads, dh).transpose(1, 2);
        using var scale = (Scalar)(1 / Math.Sqrt(dh));
        var logits = Split(q).matmul(Split(k).transpose(2, 3)).mul(scale);
        return logits.softmax(-1).matmul(Split(v)).transpose(1, 2).reshape(b, t, d);
    }
}
