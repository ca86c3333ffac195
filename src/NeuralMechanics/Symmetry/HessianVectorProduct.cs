using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// The Hessian-vector product by double backward, the one place the library computes it (the
/// verifier's Hessian identities and norm; any quantity that needs H·v): with the gradients
/// g = ∂L/∂θ taken with <c>create_graph: true</c>, H·v = ∂⟨g, v⟩/∂θ. Costs one backward pass
/// through the retained graph, which it keeps for the next product.
/// </summary>
internal static class HessianVectorProduct
{
    /// <summary>H·<paramref name="direction"/>, one detached tensor per parameter.</summary>
    /// <param name="parameters">θ, in the order of <paramref name="grads"/> and <paramref name="direction"/>.</param>
    /// <param name="grads">∂L/∂θ with their graph (<c>autograd.grad(…, create_graph: true, retain_graph: true)</c>).</param>
    /// <param name="direction">v, shaped like the parameters.</param>
    public static Tensor[] Of(IReadOnlyList<Parameter> parameters, IList<Tensor> grads, IReadOnlyList<Tensor> direction)
    {
        Tensor dot = zeros(1, dtype: parameters[0].dtype, device: parameters[0].device);
        for (int i = 0; i < parameters.Count; i++) dot = dot + (grads[i] * direction[i]).sum();
        return autograd.grad([dot], [.. parameters], retain_graph: true).Select(t => t.detach()).ToArray();
    }
}
