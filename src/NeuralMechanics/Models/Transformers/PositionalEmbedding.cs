using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// A learned positional embedding: x + P for tokens x of shape [B, T, D], P ([T, D], parameter
/// "weight") one row per token position. The architecture graph knows it as
/// <see cref="Operations.PositionalEmbedding"/>: it carries the token stream and writes into it.
/// </summary>
public sealed class PositionalEmbedding : nn.Module<Tensor, Tensor>
{
    // P, one row per position; a field named as the parameter, so that module.to(...) can replace it.
    private Parameter weight;

    /// <summary>An embedding for <paramref name="tokens"/> positions of <paramref name="features"/> features, N(0, 0.02²) (as ViT).</summary>
    public PositionalEmbedding(long tokens, long features) : base(nameof(PositionalEmbedding))
    {
        using (no_grad()) weight = new Parameter(normal(0, 0.02, [tokens, features]));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => x + weight;
}
