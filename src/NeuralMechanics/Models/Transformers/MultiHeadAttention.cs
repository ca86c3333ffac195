using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// Multi-head self-attention: o(attention(q(x), k(x), v(x))) with q, k, v, o Linear(d, d) with
/// biases and <see cref="Heads"/> heads of d/h features (<see cref="ScaledDotProductAttention"/>).
/// It describes itself to the symmetry analysis through <see cref="GraphBuilder.Attention"/>,
/// which is how the key-bias translation and the per-head Q–K and V–O rescales are found.
/// </summary>
public sealed class MultiHeadAttention : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Linear q, k, v, o;

    /// <summary>Attention over <paramref name="dim"/> features with <paramref name="heads"/> heads.</summary>
    /// <exception cref="InvalidInputException">The features do not split into the heads.</exception>
    public MultiHeadAttention(long dim, long heads) : base(nameof(MultiHeadAttention))
    {
        if (heads < 1 || dim % heads != 0)
            throw new InvalidInputException($"--heads: expected a divisor of --dim {dim}, found {heads}");
        Heads = heads;
        q = nn.Linear(dim, dim);
        k = nn.Linear(dim, dim);
        v = nn.Linear(dim, dim);
        o = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <summary>Number of heads h.</summary>
    public long Heads { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) =>
        o.forward(ScaledDotProductAttention.Compute(q.forward(x), k.forward(x), v.forward(x), Heads));

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue x) =>
        graph.Child("o", graph.Attention(graph.Child("q", x), graph.Child("k", x), graph.Child("v", x), Heads));
}
