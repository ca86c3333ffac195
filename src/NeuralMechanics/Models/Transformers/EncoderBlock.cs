using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// A pre-LayerNorm transformer block: x ← x + attn(ln1(x)); x ← x + mlp(ln2(x)), the MLP
/// Linear(d, r·d) → GELU|ReLU → Linear(r·d, d) (children mlp.fc1, mlp.act, mlp.fc2).
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly LayerNorm ln1, ln2;
    private readonly MultiHeadAttention attn;
    private readonly Sequential mlp;

    /// <summary>A block over <paramref name="dim"/> features with <paramref name="heads"/> heads and <paramref name="hidden"/> MLP units.</summary>
    public EncoderBlock(long dim, long heads, long hidden, nn.Module<Tensor, Tensor> activation) : base(nameof(EncoderBlock))
    {
        ln1 = nn.LayerNorm(dim);
        attn = new MultiHeadAttention(dim, heads);
        ln2 = nn.LayerNorm(dim);
        mlp = nn.Sequential(("fc1", nn.Linear(dim, hidden)), ("act", activation), ("fc2", nn.Linear(hidden, dim)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = x + attn.forward(ln1.forward(x));
        return h + mlp.forward(ln2.forward(h));
    }

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue x)
    {
        var h = graph.Add(x, graph.Child("attn", graph.Child("ln1", x)), "add1");
        return graph.Add(h, graph.Child("mlp", graph.Child("ln2", h)), "add2");
    }
}
