using NeuralMechanics.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Checks every group set numerically on one batch (Section 3 of the paper):
/// <list type="number">
/// <item>invariance: the loss after the group action with random α per group equals the loss before;</item>
/// <item>gradient: ⟨g, generator⟩ = 0;</item>
/// <item>Hessian, through one Hessian-vector product per set with random per-group coefficients c:
/// translation H·Σc_u 1_{A_u} = 0; scale H·Σc_u θ_{A_u} + Σc_u g_{A_u} = 0;
/// rescale H·Σc_u(θ_{A1,u} − θ_{A2,u}) + Σc_u(g_{A1,u} − g_{A2,u}) = 0;</item>
/// <item>noise: per-example gradients are orthogonal to the generators too (Appendix F).</item>
/// </list>
/// BatchNorm runs in training mode (batch statistics, as during training); dropout is switched
/// off so that two forward passes see the same function. The checks run in the network's dtype:
/// on CPU, float32 convolutions (oneDNN) can lose several digits in the gradients that reach
/// narrow early layers, so `nmech symmetries --verify` builds the model in float64 by default.
/// </summary>
public static class SymmetryVerifier
{
    /// <summary>Verifies every set of <paramref name="analysis"/> on the batch (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static IReadOnlyList<VerificationResult> Verify(nn.Module<Tensor, Tensor> network, SymmetryAnalysis analysis, Tensor x, Tensor y,
        int noiseExamples = 4, long seed = 0, IProgress<VerificationProgress>? progress = null)
    {
        var loss = analysis.Architecture.Loss;
        bool wasTraining = network.training;
        network.train();
        foreach (var m in network.modules())
            if (m is Dropout) m.eval();
        var parameters = network.parameters().ToArray();
        var generator = new Generator((ulong)seed);
        var results = new List<VerificationResult>();
        try
        {
            using var scope = NewDisposeScope();
            progress?.Report(new VerificationProgress("gradients", 0, 2 * analysis.Sets.Count, ""));
            var perExample = PerExampleLoss(network.forward(x), y, loss);
            var total = perExample.mean();
            double loss0 = total.ReadDouble();
            var grads = autograd.grad([total], parameters, create_graph: true, retain_graph: true);
            var g = parameters.Zip(grads).ToDictionary(p => p.First, p => p.Second);
            var gDetached = g.ToDictionary(kv => kv.Key, kv => kv.Value.detach());
            var noise = Enumerable.Range(0, (int)Math.Min(noiseExamples, x.shape[0]))
                .Select(i => parameters.Zip(autograd.grad([perExample[i]], parameters, retain_graph: true))
                    .ToDictionary(p => p.First, p => p.Second.detach()))
                .ToList();
            double hessianNorm = EstimateHessianNorm(parameters, grads, generator);

            // Derivative checks first: the group action below changes parameters in place, which
            // would invalidate the retained graph.
            var derivative = new List<(double Gradient, double Noise, double Hessian)>();
            foreach (var set in analysis.Sets)
            {
                progress?.Report(new VerificationProgress("derivatives", derivative.Count, 2 * analysis.Sets.Count, $"{set.Kind.Name()} {set.Layer}"));
                using var setScope = NewDisposeScope();
                var touched = analysis.Architecture.Layers.Where(l => set.A.Concat(set.B).Any(s => s.Layer == l.Name))
                    .SelectMany(l => l.Parameters.Values).ToList();
                derivative.Add((Orthogonality(set, touched, gDetached),
                    noise.Count == 0 ? 0 : noise.Max(n => Orthogonality(set, touched, n)),
                    HessianResidual(parameters, grads, gDetached, set, hessianNorm, generator)));
            }
            for (int i = 0; i < analysis.Sets.Count; i++)
            {
                var set = analysis.Sets[i];
                progress?.Report(new VerificationProgress("invariance", analysis.Sets.Count + i, 2 * analysis.Sets.Count, $"{set.Kind.Name()} {set.Layer}"));
                using var setScope = NewDisposeScope();
                double invariance = Invariance(network, set, x, y, loss, loss0, generator);
                var (gradient, noiseResidual, hessian) = derivative[i];
                results.Add(new VerificationResult(set.Layer, set.Kind, set.Count, set.Exact, invariance, gradient, hessian, noiseResidual,
                    parameters[0].dtype == ScalarType.Float64));
            }
        }
        finally
        {
            network.train(wasTraining);
        }
        return results;
    }

    /// <summary>Per-example loss: cross-entropy, or the mean over classes of the squared error to one-hot targets.</summary>
    public static Tensor PerExampleLoss(Tensor output, Tensor y, LossKind loss) => loss == LossKind.CrossEntropy
        ? nn.functional.cross_entropy(output, y, reduction: nn.Reduction.None)
        : (output - nn.functional.one_hot(y, output.shape[1]).to(output.dtype)).square().mean([1]);

    private static double Invariance(nn.Module<Tensor, Tensor> network, SymmetryGroupSet set, Tensor x, Tensor y, LossKind loss, double loss0, Generator generator)
    {
        using var noGrad = no_grad();
        var saved = set.Parameters.Select(p => (p, p.detach().clone())).ToList();
        // Translation by α ∈ [−1, 1]; scale and rescale by α ∈ [0.5, 2].
        using Scalar one = 1, two = 2, log2 = Math.Log(2), log4 = Math.Log(4);
        var alpha = set.Kind == SymmetryKind.Translation
            ? rand(set.Count, dtype: x.dtype, generator: generator) * two - one
            : (rand(set.Count, dtype: x.dtype, generator: generator) * log4 - log2).exp();
        alpha = alpha.to(x.device);
        set.Act(alpha);
        double loss1 = PerExampleLoss(network.forward(x), y, loss).mean().ReadDouble();
        foreach (var (p, copy) in saved) p.copy_(copy);
        return Math.Abs(loss1 - loss0) / Math.Max(Math.Abs(loss0), 1e-30);
    }

    /// <summary>
    /// max_u |⟨x, generator_u⟩| / (|x_T|·|generator_u|), with T every parameter of the layers the
    /// set touches. Normalising by whole layers, not the group's own slice, matters for groups
    /// whose slice of x is itself the residual (a single bias entry before BatchNorm).
    /// </summary>
    private static double Orthogonality(SymmetryGroupSet set, IEnumerable<Parameter> layerParameters, Dictionary<Parameter, Tensor> field)
    {
        using var noGrad = no_grad();
        var dot = set.GeneratorDot(p => field[p]).abs();
        double fieldNorm = Math.Sqrt(layerParameters.Sum(p => field[p].square().sum().ReadDouble()));
        if (fieldNorm == 0) return 0;
        using Scalar norm = fieldNorm, tiny = 1e-38;
        var relative = dot / (set.GeneratorNorm() * norm).clamp_min(tiny);
        return relative.max().ReadDouble();
    }

    private static double EstimateHessianNorm(Parameter[] parameters, IList<Tensor> grads, Generator generator)
    {
        var u = parameters.Select(p => randn(p.shape, dtype: p.dtype, generator: generator).to(p.device)).ToArray();
        double uNorm = Math.Sqrt(u.Sum(t => t.square().sum().ReadDouble()));
        var hu = HessianVectorProduct.Of(parameters, grads, u);
        return Math.Sqrt(hu.Sum(t => t.square().sum().ReadDouble())) / uNorm;
    }

    private static double HessianResidual(Parameter[] parameters, IList<Tensor> grads, Dictionary<Parameter, Tensor> g,
        SymmetryGroupSet set, double hessianNorm, Generator generator)
    {
        var c = randn(set.Count, dtype: parameters[0].dtype, generator: generator).to(parameters[0].device);
        var v = set.Generator(c);
        var direction = parameters.Select(p => v.TryGetValue(p, out var t) ? t : zeros_like(p)).ToArray();
        var hv = HessianVectorProduct.Of(parameters, grads, direction);
        double Norm(IEnumerable<Tensor> ts) => Math.Sqrt(ts.Sum(t => t.square().sum().ReadDouble()));
        if (set.Kind == SymmetryKind.Translation)
            return Norm(hv) / Math.Max(Norm(direction) * hessianNorm, 1e-30);
        var gTerm = set.Spread(c, s => g[s.Tensor]);
        var residual = parameters.Select((p, i) => gTerm.TryGetValue(p, out var t) ? hv[i] + t : hv[i]).ToArray();
        return Norm(residual) / Math.Max(Norm(hv) + Norm(gTerm.Values), 1e-30);
    }
}
