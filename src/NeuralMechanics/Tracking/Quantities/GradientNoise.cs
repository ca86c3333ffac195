using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The <c>noise/</c> table: the simple gradient noise scale B_simple = tr Σ / |G|² (McCandlish et al.
/// 2018) every <see cref="Training.RunSpec.NoiseEvery"/> steps, from the per-example gradients gᵢ of
/// the step's batch (B examples, ḡ their mean, the batch gradient), by the unbiased estimators
/// tr Σ ≈ B/(B−1)·(mean|gᵢ|² − |ḡ|²) and |G|² ≈ (B|ḡ|² − mean|gᵢ|²)/(B−1) — McCandlish et al.'s
/// Appendix A.1 two-batch estimators with batch sizes 1 and B. Columns <c>step</c>, <c>batch</c>,
/// <c>trace_sigma</c>, <c>gradient_norm_sq</c>, <c>b_simple</c> (NaN where the |G|² estimate is not
/// positive); TensorBoard <c>noise/b_simple</c>.
/// </summary>
/// <remarks>
/// gᵢ = ∂ℓᵢ/∂θ of the per-example loss through the step's own graph (<see cref="QuantityNeeds.Graph"/>),
/// so with BatchNorm it is example i's share of the batch gradient (its statistics held as the batch's);
/// the loss gradient only (a coupled weight decay adds the same λθ to every gᵢ: no noise). Costs one
/// backward pass through the kept graph per example.
/// </remarks>
public sealed class GradientNoise : ITrackedQuantity
{
    /// <summary>The table's folder in the run directory.</summary>
    public const string Folder = "noise";

    /// <summary>Column: the batch size B (int).</summary>
    public const string BatchColumn = "batch";

    /// <summary>Column: the unbiased estimate of tr Σ, the per-example gradient covariance's trace (double).</summary>
    public const string TraceSigmaColumn = "trace_sigma";

    /// <summary>Column: the unbiased estimate of |G|², the true gradient's squared norm (double).</summary>
    public const string GradientNormSquaredColumn = "gradient_norm_sq";

    /// <summary>Column: B_simple = tr Σ / |G|² (double).</summary>
    public const string BSimpleColumn = "b_simple";

    /// <summary>Columns of the <c>noise/</c> table, in file order.</summary>
    public static readonly IReadOnlyList<TrajectoryColumn> Columns =
    [
        TrajectoryColumn.Long(TrajectorySchema.Step), TrajectoryColumn.Int(BatchColumn), TrajectoryColumn.Double(TraceSigmaColumn),
        TrajectoryColumn.Double(GradientNormSquaredColumn), TrajectoryColumn.Double(BSimpleColumn),
    ];

    private readonly QuantityTable table;
    private readonly TensorBoardLog board;
    private readonly LossKind loss;
    private readonly IReadOnlyList<Parameter> parameters;

    private GradientNoise(QuantitySetup setup, long every)
    {
        table = setup.Table(Folder, Columns);
        board = setup.Board;
        loss = setup.Architecture.Loss;
        parameters = setup.Parameters.Select(p => p.Param).ToList();
        Schedule = QuantitySchedule.EveryK(every);
        Tables = [table];
    }

    /// <summary>The quantity when the run asks for it (<see cref="Training.RunSpec.NoiseEvery"/> &gt; 0); else null.</summary>
    public static ITrackedQuantity? Create(QuantitySetup setup) =>
        setup.Spec.NoiseEvery is > 0 and var k ? new GradientNoise(setup, k) : null;

    /// <inheritdoc />
    public QuantityNeeds Needs => QuantityNeeds.Graph;

    /// <inheritdoc />
    public QuantitySchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<QuantityTable> Tables { get; }

    /// <inheritdoc />
    public IEnumerable<string> Unavailable => [];

    /// <inheritdoc />
    public void Compute(StepContext step)
    {
        long n = step.Step;
        Tensor moments;
        using (var scope = NewDisposeScope())
            moments = Moments(parameters, SymmetryVerifier.PerExampleLoss(step.Output, step.Target, loss)).DetachFromDisposeScope();
        int batch = (int)step.Target.shape[0];
        step.Reader.Defer(n, moments, v => Write(n, batch, v[0], v[1]));
    }

    /// <summary>
    /// [mean|gᵢ|², |ḡ|²] in float64 on the device, gᵢ = ∂ℓᵢ/∂θ for each entry of <paramref name="perExample"/>
    /// (with its graph, kept for every example).
    /// </summary>
    internal static Tensor Moments(IReadOnlyList<Parameter> parameters, Tensor perExample)
    {
        long b = perExample.shape[0];
        var first = parameters[0];
        var squares = zeros(1, dtype: ScalarType.Float64, device: first.device);
        var sum = zeros([parameters.Sum(p => p.numel())], dtype: ScalarType.Float64, device: first.device);
        for (long i = 0; i < b; i++)
        {
            using var scope = NewDisposeScope();
            var g = cat(autograd.grad([perExample[i]], [.. parameters], retain_graph: true).Select(t => t.detach().reshape(-1)).ToArray()).to(ScalarType.Float64);
            squares.add_(g.dot(g));
            sum.add_(g);
        }
        using TorchSharp.Scalar inverse = 1.0 / b;
        var mean = sum.mul_(inverse);
        return cat([squares.mul_(inverse), mean.dot(mean).reshape(1)]);
    }

    /// <summary>(tr Σ, |G|², B_simple) from mean|gᵢ|² and |ḡ|² of a batch of <paramref name="batch"/> examples (unbiased; see the class).</summary>
    public static (double TraceSigma, double GradientNormSquared, double BSimple) Estimate(int batch, double meanSquare, double meanGradientSquare)
    {
        double b = batch;
        double trace = b / (b - 1) * (meanSquare - meanGradientSquare);
        double g2 = (b * meanGradientSquare - meanSquare) / (b - 1);
        return (trace, g2, g2 > 0 ? trace / g2 : double.NaN);
    }

    private void Write(long step, int batch, double meanSquare, double meanGradientSquare)
    {
        var (trace, g2, bSimple) = batch > 1 ? Estimate(batch, meanSquare, meanGradientSquare) : (double.NaN, double.NaN, double.NaN);
        table.AddRow().Long(step).Int(batch).Double(trace).Double(g2).Double(bSimple).End();
        board.AddScalar("noise/b_simple", bSimple, step);
    }

    /// <inheritdoc />
    public Dictionary<string, double[]> SaveState() => [];

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
}
