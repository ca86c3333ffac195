using static TorchSharp.torch;

namespace NeuralMechanics.Laws;

/// <summary>
/// Gradients and Jacobian-vector products through reverse mode only (double backward): what the
/// brackets of <see cref="LieBracket"/> are made of. Fields are lists of tensors shaped like θ.
/// </summary>
internal static class Derivatives
{
    /// <summary>
    /// ∂<paramref name="scalar"/>/∂<paramref name="wrt"/>; a part the scalar does not depend on
    /// (a bias whose second derivative vanishes) is zero rather than an error.
    /// </summary>
    public static Tensor[] Gradient(Tensor scalar, IReadOnlyList<Tensor> wrt, bool createGraph)
    {
        if (!scalar.requires_grad) return wrt.Select(w => zeros_like(w)).ToArray();
        var g = autograd.grad([scalar], wrt.ToList(), retain_graph: true, create_graph: createGraph, allow_unused: true);
        return g.Select((t, i) => t.IsInvalid ? zeros_like(wrt[i]) : t).ToArray();
    }

    /// <summary>⟨a, b⟩ summed over every part.</summary>
    public static Tensor Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        Tensor total = (a[0] * b[0]).sum();
        for (int i = 1; i < a.Count; i++) total = total + (a[i] * b[i]).sum();
        return total;
    }

    /// <summary>The parts detached from the graph.</summary>
    public static Tensor[] Detach(IReadOnlyList<Tensor> a) => a.Select(t => t.detach()).ToArray();

    /// <summary>
    /// DG·v for a field G(θ) built with its graph, by two reverse passes: w(u) = ∂⟨G, u⟩/∂θ = DGᵀu
    /// is linear in a dummy u, so ∂⟨w, v⟩/∂u = DG·v. With <paramref name="createGraph"/> the result
    /// stays differentiable in θ (through DG and through v), for brackets nested deeper.
    /// </summary>
    public static Tensor[] JacobianVector(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> field, IReadOnlyList<Tensor> v, bool createGraph)
    {
        var u = parameters.Select(p => zeros_like(p).requires_grad_()).ToArray();
        var w = Gradient(Dot(field, u), parameters, createGraph: true);
        return Gradient(Dot(w, createGraph ? v : Detach(v)), u, createGraph);
    }

    /// <summary>The parts concatenated into one vector of length D.</summary>
    public static Tensor Flatten(IReadOnlyList<Tensor> parts) => cat(parts.Select(t => t.reshape(-1)).ToArray(), 0);
}
