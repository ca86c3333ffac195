using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// A small Vision Transformer (docs/design.md, "Transformers"): patch embedding Conv2d(C, d, p,
/// stride p) with bias, the patches as tokens (row-major), a learned positional embedding, L
/// pre-LayerNorm <see cref="EncoderBlock"/>s, a final LayerNorm, the mean over tokens and a
/// Linear head. No class token: the head reads the token mean. Children: patch, pos, blocks (0, 1, …), norm, head.
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Conv2d patch;
    private readonly PositionalEmbedding pos;
    private readonly Sequential blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    private VisionTransformer(long channels, long tokens, ModelOptions o, int classes) : base(nameof(VisionTransformer))
    {
        long hidden = Hidden(o);
        patch = nn.Conv2d(channels, o.Dim, o.Patch, stride: o.Patch);
        pos = new PositionalEmbedding(tokens, o.Dim);
        blocks = nn.Sequential(Enumerable.Range(0, o.Depth)
            .Select(i => ($"{i}", (nn.Module<Tensor, Tensor>)new EncoderBlock(o.Dim, o.Heads, hidden, Activation(o.Activation)))));
        norm = nn.LayerNorm(o.Dim);
        head = nn.Linear(o.Dim, classes);
        RegisterComponents();
    }

    /// <summary>The MLP's hidden units, round(r·d).</summary>
    public static long Hidden(ModelOptions o) => (long)Math.Round(o.MlpRatio * o.Dim);

    /// <summary>
    /// Builds the ViT for C×H×W inputs (H and W multiples of the patch). Weights: Kaiming normal
    /// (fan-in, ReLU gain) and zero biases for the patch convolution and every Linear, or PyTorch's
    /// defaults with <see cref="Initialisation.Reference"/>; LayerNorm γ = 1, β = 0; P ~ N(0, 0.02²).
    /// </summary>
    /// <exception cref="InvalidInputException">A non-image input, a patch that does not tile it, or non-positive sizes.</exception>
    public static (VisionTransformer Network, List<string> Notes) Create(long[] inputShape, int classes, ModelOptions o)
    {
        if (inputShape.Length != 3)
            throw new InvalidInputException($"--model vit: expects image input C×H×W, found [{string.Join("x", inputShape)}]");
        if (o.Patch < 1 || inputShape[1] % o.Patch != 0 || inputShape[2] % o.Patch != 0)
            throw new InvalidInputException($"--patch: expected a positive divisor of the image's height {inputShape[1]} and width {inputShape[2]}, found {o.Patch}");
        if (o.Dim < 1) throw new InvalidInputException($"--dim: expected ≥ 1, found {o.Dim}");
        if (o.Depth < 0) throw new InvalidInputException($"--depth: expected ≥ 0 blocks, found {o.Depth}");
        if (!(o.MlpRatio > 0) || Hidden(o) < 1) throw new InvalidInputException($"--mlp-ratio: expected a ratio giving ≥ 1 hidden unit, found {o.MlpRatio}");
        long tokens = inputShape[1] / o.Patch * (inputShape[2] / o.Patch);
        var network = new VisionTransformer(inputShape[0], tokens, o, classes);
        if (Initialisation.Parse(o.Init) == Initialisation.Kaiming)
            using (no_grad())
                foreach (var module in network.modules())
                    switch (module)
                    {
                        case Linear linear: Initialisation.KaimingLinear(linear); break;
                        case Conv2d conv:
                            nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
                            nn.init.zeros_(conv.bias!);
                            break;
                    }
        return (network, [$"vit: {tokens} tokens of {o.Dim} features, {o.Depth} blocks of {o.Heads} heads, MLP {Hidden(o)} units ({o.Activation.ToLowerInvariant()})"]);
    }

    private static nn.Module<Tensor, Tensor> Activation(string name) => name.ToLowerInvariant() switch
    {
        "gelu" => nn.GELU(),
        "relu" => nn.ReLU(),
        _ => throw new InvalidInputException($"--activation: the ViT's MLP takes gelu or relu, found '{name}'"),
    };

    /// <summary>[B, C, H, W] patch features as tokens [B, T, C], row-major over patches.</summary>
    public static Tensor ToTokens(Tensor x) => x.flatten(2).transpose(1, 2);

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = blocks.forward(pos.forward(ToTokens(patch.forward(x))));
        return head.forward(norm.forward(h).mean([1]));
    }

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue x)
    {
        var h = graph.Child("blocks", graph.Child("pos", graph.Tokens(graph.Child("patch", x))));
        return graph.Child("head", graph.TokenMean(graph.Child("norm", h)));
    }
}
