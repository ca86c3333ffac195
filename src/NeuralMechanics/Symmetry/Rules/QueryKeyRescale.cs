using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Queries against keys in an attention: the logits are Σ_c q_c k_c/√d_h per head, so
/// multiplying feature c of the queries by α and of the keys by 1/α changes nothing: one
/// rescale group per feature, A1 = row c of the query projection's Ŵ_Q = [W_Q | b_Q], A2 = row c
/// of Ŵ_K. These are the diagonal of each head's GL(d_h) symmetry Ŵ_Q → MᵀŴ_Q, Ŵ_K → M⁻¹Ŵ_K,
/// keyed "&lt;attention&gt;.qk"; whose full matrix charge C_QK is tracked by <c>MatrixCharges</c> (docs/design.md, "Transformers").
/// The value/output diagonal (row c of Ŵ_V against column c of W_O) is the ordinary stream
/// rescale through the attention, which is linear in v (<see cref="HomogeneousRescale"/>).
/// </summary>
public sealed class QueryKeyRescale : ISymmetryRule
{
    /// <inheritdoc />
    public void Apply(DiscoveryContext context)
    {
        var a = context.Architecture;
        foreach (var attention in a.Layers.Where(l => l.Operation.IsAttention))
        {
            var query = KeyBiasTranslation.AttentionProjection(a, attention, 0);
            var key = KeyBiasTranslation.AttentionProjection(a, attention, 1);
            if (query is null || key is null)
            {
                context.Stopped(attention.Index, "query-key rescale", $"{attention.Name}: its queries or keys are not Linear projections that only the attention reads; no query-key rescale counted");
                continue;
            }
            context.Add(new SymmetryGroupSet(SymmetryKind.Rescale, $"{attention.Name}.qk", query.ShapeOf("weight")[0],
                Slices.Incoming(query, Slices.Rows), Slices.Incoming(key, Slices.Rows), true,
                $"{attention.Name}: the logits q·k/√d_h keep feature c of the queries times α against the keys' over α ({attention.Heads} heads; diagonal of GL(d_h))"), query.Index);
        }
    }
}
