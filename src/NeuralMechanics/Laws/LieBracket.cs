using static TorchSharp.torch;

namespace NeuralMechanics.Laws;

/// <summary>
/// Right-nested Lie brackets [A₁, [A₂, … [A_{k−1}, A_k]]] of gradient fields A_i = ∇L_{a_i}
/// evaluated at θ, with [A, B] = DB·A − DA·B. By the Jacobi identity these span the depth-k part
/// of Lie(V); random weightings a_i sample that span (a multilinear image spans its subspace
/// generically), so each depth costs one bracket per dimension it can add.
/// </summary>
internal static class LieBracket
{
    /// <summary>The bracket of the fields weighted by <paramref name="weights"/> (one per level).</summary>
    public static Tensor[] Evaluate(ProbeFields fields, IReadOnlyList<Weighting> weights, bool createGraph = false)
    {
        var theta = fields.Parameters;
        if (weights.Count == 1) return fields.Field(weights[0], createGraph);
        if (weights.Count == 2 && !createGraph)
        {
            // Both are gradients, their Jacobians Hessians (symmetric): [A, B] = H_b·A − H_a·B is one
            // reverse pass of ⟨B, Ā⟩ − ⟨A, B̄⟩ (bars: held constant).
            var a = fields.Field(weights[0], createGraph: true);
            var b = fields.Field(weights[1], createGraph: true);
            return Derivatives.Gradient(Derivatives.Dot(b, Derivatives.Detach(a)) - Derivatives.Dot(a, Derivatives.Detach(b)), theta, createGraph: false);
        }
        var outer = fields.Field(weights[0], createGraph: true);
        var inner = Evaluate(fields, weights.Skip(1).ToArray(), createGraph: true);
        var innerAlongOuter = Derivatives.JacobianVector(theta, inner, outer, createGraph);
        var outerAlongInner = createGraph
            ? Derivatives.JacobianVector(theta, outer, inner, createGraph: true)
            : Derivatives.Gradient(Derivatives.Dot(outer, Derivatives.Detach(inner)), theta, createGraph: false);
        return innerAlongOuter.Zip(outerAlongInner, (x, y) => x - y).ToArray();
    }
}
