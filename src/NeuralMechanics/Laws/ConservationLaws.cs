using System.Diagnostics;
using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Laws;

/// <summary>
/// Counts every conservation law of gradient flow near θ numerically (Marcotte, Gribonval &amp; Peyré,
/// NeurIPS 2023): the number of independent laws is D − dim Lie(V)(θ), V spanned by the loss's
/// gradient fields on single samples. Depth 1 is the rank of random elements of V; depth k adds
/// random right-nested brackets, projected on what is not yet spanned; it stops when the rank stops
/// growing. A numeric rank at one θ counts the independent laws near θ (for all data sets); it is
/// not a formula for them.
/// </summary>
public static class ConservationLaws
{
    /// <summary>Counts the laws of <paramref name="network"/> (float64 parameters) at its current θ.</summary>
    /// <param name="network">The network, in float64.</param>
    /// <param name="architecture">Its description (input shape, loss).</param>
    /// <param name="analysis">Its symmetry groups (null: discovered here).</param>
    /// <param name="options">Sampling and tolerances.</param>
    /// <param name="progress">Told each phase as it starts.</param>
    public static LawCount Count(nn.Module<Tensor, Tensor> network, Architecture architecture, SymmetryAnalysis? analysis = null,
        LawOptions? options = null, IProgress<string>? progress = null)
    {
        options ??= new LawOptions();
        analysis ??= SymmetryDiscovery.Discover(architecture);
        var watch = Stopwatch.StartNew();
        var named = network.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        if (named.Length == 0) throw new InvalidInputException("model: expected trainable parameters, found none");
        if (named.Any(p => p.parameter.dtype != ScalarType.Float64))
            throw new InvalidInputException("model: the conservation-law count needs float64 parameters (ranks decided at 1e-9)");
        var parameters = named.Select(p => p.parameter).ToArray();
        long d = parameters.Sum(p => p.numel());
        int classes = (int)architecture.Outputs;
        // Cross-entropy's fields ∇ℓ(x, k) of one x span at most K − 1 directions (softmax − e_k sums to 0).
        int labelRank = architecture.Loss == LossKind.CrossEntropy ? Math.Max(1, classes - 1) : classes;
        int samples = options.Samples ?? (int)(2 * ((d + labelRank - 1) / labelRank) + 8);
        bool batchNorm = network.modules().Any(m => m is BatchNorm1d or BatchNorm2d);
        bool wasTraining = network.training;
        // The fields and brackets are thousands of tiny operations (a backward pass of a few probes
        // each): on more than one intra-op thread their synchronisation costs far more CPU than the
        // work (D = 1,210: 32 s of CPU on two threads, 1.6 s on one). Only the dense QR gets them all.
        int threads = get_num_threads();
        set_num_threads(1);
        network.train();
        foreach (var m in network.modules())
            if (m is Dropout) m.eval();
        try
        {
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)options.Seed);
            var device = parameters[0].device;
            var inputs = randn([samples, .. architecture.InputShape], dtype: ScalarType.Float64, device: device, generator: generator);
            var fields = new ProbeFields(network, parameters, inputs, architecture.Loss, classes, batchNorm ? 4 : samples);
            var ranks = new List<long>();
            double gap = double.PositiveInfinity;

            // Depth 1: random elements of V, as many as V can have dimensions, and a few more.
            long bound = Math.Min(d, (long)samples * labelRank);
            int rows = (int)(bound + options.Oversampling);
            progress?.Report($"depth 1: {rows} gradient fields of {samples} probes, D = {d}");
            var matrix = zeros([rows, d], dtype: ScalarType.Float64, device: device);
            for (int i = 0; i < rows; i++)
            {
                using var step = NewDisposeScope();
                matrix[i] = Derivatives.Flatten(fields.Field(fields.RandomWeighting(generator), createGraph: false));
            }
            progress?.Report($"depth 1: rank and null space of {rows} × {d} ({watch.Elapsed.TotalSeconds:F1} s)");
            var touched = matrix.abs().amax([0]);
            set_num_threads(threads);
            var (rank, gap1, _, nullBasis) = NullSpace.Of(Unit(matrix), options.Tolerance, generator);
            set_num_threads(1);
            gap = Math.Min(gap, gap1);
            ranks.Add(rank);
            progress?.Report($"depth 1: rank {rank}, gap {gap1:G3} ({watch.Elapsed.TotalSeconds:F1} s)");
            matrix.Dispose();

            // Depth k: brackets of k random fields, projected on the directions not yet spanned.
            bool closed = false;
            for (int depth = 2; depth <= options.MaxDepth; depth++)
            {
                long free = nullBasis.shape[1];
                if (free == 0) { closed = true; break; }
                int count = (int)(free + options.Oversampling);
                progress?.Report($"depth {depth}: {count} brackets ({watch.Elapsed.TotalSeconds:F1} s)");
                var projected = zeros([count, free], dtype: ScalarType.Float64, device: device);
                for (int i = 0; i < count; i++)
                {
                    using var step = NewDisposeScope();
                    var weights = Enumerable.Range(0, depth).Select(_ => fields.RandomWeighting(generator)).ToArray();
                    var bracket = Derivatives.Flatten(LieBracket.Evaluate(fields, weights));
                    projected[i] = Unit(bracket.unsqueeze(0))[0].matmul(nullBasis);
                }
                var (_, sk, vhk) = linalg.svd(projected, fullMatrices: true);
                var (growth, gapk) = NumericRank.Of(Values(sk), options.Tolerance);
                gap = Math.Min(gap, gapk);
                ranks.Add(ranks[^1] + growth);
                progress?.Report($"depth {depth}: rank {ranks[^1]}, gap {gapk:G3} ({watch.Elapsed.TotalSeconds:F1} s)");
                nullBasis = nullBasis.matmul(vhk[TensorIndex.Slice(growth)].t()).contiguous();
                if (growth == 0) { closed = true; break; }
            }
            long laws = nullBasis.shape[1];

            progress?.Report($"explaining {laws} laws by {analysis.Total} symmetry groups ({watch.Elapsed.TotalSeconds:F1} s)");
            var explanation = Explain(analysis, parameters, named.Select(p => p.name).ToArray(), nullBasis, options.Tolerance);
            return new LawCount(d, ranks, laws, explanation.Explained, options.Tolerance, gap,
                closed && gap >= options.MinimumGap, closed, DeadUnits(named, touched), explanation.Carriers,
                explanation.NotConserved, explanation.Orthogonality, samples, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            set_num_threads(threads);
            network.train(wasTraining);
        }
    }

    /// <summary>Rows scaled to unit norm (a zero row stays zero).</summary>
    private static Tensor Unit(Tensor rows)
    {
        var norms = rows.norm(1, keepdim: true);
        using TorchSharp.Scalar tiny = 1e-300;
        return rows / norms.clamp_min(tiny);
    }

    private static double[] Values(Tensor t) => t.cpu().contiguous().data<double>().ToArray();

    /// <summary>
    /// The rank of the discovered groups' quantity gradients (translation 1_A, scale 2θ_A, rescale
    /// 2(θ_A1 − θ_A2): each group's generator) within the laws' span, and where the rest lies.
    /// </summary>
    private static (long Explained, IReadOnlyList<LawCarrier> Carriers, long NotConserved, double Orthogonality) Explain(
        SymmetryAnalysis analysis, Parameter[] parameters, string[] names, Tensor nullBasis, double tolerance)
    {
        long laws = nullBasis.shape[1];
        var rows = new List<Tensor>();
        foreach (var set in analysis.Sets)
            for (long u = 0; u < set.Count; u++)
            {
                var coefficients = zeros(set.Count, dtype: ScalarType.Float64, device: nullBasis.device);
                coefficients[u] = ones(1, dtype: ScalarType.Float64, device: nullBasis.device)[0];
                var parts = set.Generator(coefficients);
                rows.Add(Derivatives.Flatten(parameters.Select(p => parts.TryGetValue(p, out var t) ? t.to(ScalarType.Float64) : zeros_like(p)).ToArray()));
            }
        Tensor unexplainedBasis = nullBasis;
        long explained = 0, notConserved = 0;
        double orthogonality = 0;
        if (rows.Count > 0 && laws > 0)
        {
            var gradients = Unit(stack(rows.ToArray()));
            var inLaws = gradients.matmul(nullBasis);
            // |component in Lie(V)| = √(1 − |component in the laws' span|²) for a unit row.
            using TorchSharp.Scalar one = 1.0, zero = 0.0;
            var outside = inLaws.square().sum(1).neg().add(one).clamp_min(zero).sqrt();
            var residuals = Values(outside);
            const double conservedBelow = 1e-6;
            var conserved = residuals.Select((r, i) => (r, i)).Where(t => t.r <= conservedBelow).Select(t => (long)t.i).ToArray();
            notConserved = residuals.Length - conserved.Length;
            orthogonality = conserved.Length == 0 ? 0 : conserved.Max(i => residuals[i]);
            if (conserved.Length > 0)
            {
                var (_, s, vh) = linalg.svd(inLaws[tensor(conserved, device: inLaws.device)], fullMatrices: true);
                explained = NumericRank.Of(Values(s), tolerance).Rank;
                unexplainedBasis = nullBasis.matmul(vh[TensorIndex.Slice(explained)].t());
            }
        }
        else if (rows.Count > 0) notConserved = rows.Count;
        var carriers = new List<LawCarrier>();
        long offset = 0;
        var weights = unexplainedBasis.square().sum(1);
        for (int i = 0; i < parameters.Length; i++)
        {
            long n = parameters[i].numel();
            double dims = weights[TensorIndex.Slice(offset, offset + n)].sum().ReadDouble();
            if (dims >= 0.01) carriers.Add(new LawCarrier(names[i], dims));
            offset += n;
        }
        return (explained, carriers.OrderByDescending(c => c.Dimensions).ToList(), notConserved, orthogonality);
    }

    /// <summary>Rows of weight matrices (units) that no probe field moves: dead on every probe input.</summary>
    private static IReadOnlyList<string> DeadUnits((string name, Parameter parameter)[] named, Tensor touched)
    {
        var dead = new List<string>();
        long offset = 0;
        foreach (var (name, p) in named)
        {
            long n = p.numel();
            if (p.dim() >= 2 && name.EndsWith(".weight"))
            {
                var rows = Values(touched[TensorIndex.Slice(offset, offset + n)].view(p.shape[0], -1).amax([1]));
                string layer = name[..^".weight".Length];
                for (int u = 0; u < rows.Length; u++)
                    if (rows[u] == 0) dead.Add($"{layer} unit {u}");
            }
            offset += n;
        }
        return dead;
    }
}
