using NeuralMechanics.Data;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The <c>stability/</c> table: the sharpness λ_max — the top eigenvalue of the step's batch-loss
/// Hessian (plus λI with a coupled weight decay; for Adam and AdamW of the preconditioned P⁻¹H, Cohen et
/// al. 2022) — every <see cref="Training.RunSpec.SharpnessEvery"/> steps, beside the stability threshold
/// of the run's optimizer (<see cref="OptimizerTheory.SharpnessThreshold"/>: 2/η for SGD). Columns
/// <c>step</c>, <c>lambda_max</c>, <c>threshold</c>, <c>iterations</c> (Hessian-vector products taken),
/// <c>residual</c> (|Hy − λy|/|λ| of the Ritz pair); TensorBoard <c>stability/lambda_max</c> and
/// <c>stability/threshold</c>.
/// </summary>
/// <remarks>
/// Lanczos on Hessian-vector products by double backward through the step's own graph (kept only on the
/// steps it computes: <see cref="QuantityNeeds.Graph"/>), so BatchNorm's statistics and dropout's masks
/// are the step's and nothing else moves; warm-started from the last eigenvector (kept in the
/// checkpoint, so a resumed run continues bit for bit), stopping when λ's estimated error
/// (residual²/gap, <see cref="Lanczos"/>) is at most <see cref="DefaultTolerance"/>·λ or after
/// <see cref="DefaultMaxIterations"/> products. Each product costs about two backward passes. The
/// gradients with their graph come from the step's one backward pass (<see cref="StepContext.Gradients"/>),
/// so measuring adds only the products and leaves the step's <c>.grad</c>, and so its update, bit for bit
/// as without it.
/// </remarks>
public sealed class Sharpness : ITrackedQuantity
{
    /// <summary>The table's folder in the run directory.</summary>
    public const string Folder = "stability";

    /// <summary>Column: the top eigenvalue (double; NaN where it is not measured).</summary>
    public const string LambdaMaxColumn = "lambda_max";

    /// <summary>Column: the optimizer's stability threshold at the step's η (double).</summary>
    public const string ThresholdColumn = "threshold";

    /// <summary>Column: Hessian-vector products taken (int).</summary>
    public const string IterationsColumn = "iterations";

    /// <summary>Column: the Ritz pair's relative residual |Hy − λy|/|λ| (double).</summary>
    public const string ResidualColumn = "residual";

    /// <summary>
    /// Estimated relative error of λ_max at which the iteration stops: 10⁻³, so ηλ_max/2 is known to three
    /// digits against the threshold's 1 (the report prints two).
    /// </summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>Hessian-vector products at most per measurement.</summary>
    public const int DefaultMaxIterations = 20;

    /// <summary>Columns of the <c>stability/</c> table, in file order.</summary>
    public static readonly IReadOnlyList<TrajectoryColumn> Columns =
    [
        TrajectoryColumn.Long(TrajectorySchema.Step), TrajectoryColumn.Double(LambdaMaxColumn), TrajectoryColumn.Double(ThresholdColumn),
        TrajectoryColumn.Int(IterationsColumn), TrajectoryColumn.Double(ResidualColumn),
    ];

    private const string StateKey = "sharpness/eigenvector";
    private readonly QuantityTable table;
    private readonly TensorBoardLog board;
    private readonly OptimizerTheory theory;
    private readonly Training.IOptimizer optimizer;
    private readonly IReadOnlyList<(string Name, Parameter Param)> parameters;
    private readonly double weightDecay, tolerance;
    private readonly int maxIterations;
    private readonly long seed;
    private readonly List<string> unavailable = [];
    private Tensor? eigenvector;

    internal Sharpness(QuantitySetup setup, long every, double tolerance = DefaultTolerance, int maxIterations = DefaultMaxIterations)
    {
        table = setup.Table(Folder, Columns);
        board = setup.Board;
        theory = setup.Spec.Optimizer.Theory;
        optimizer = setup.LiveOptimizer;
        parameters = setup.Parameters;
        weightDecay = setup.Spec.Optimizer.WeightDecay;
        seed = setup.Spec.Seed;
        (this.tolerance, this.maxIterations) = (tolerance, maxIterations);
        Schedule = QuantitySchedule.EveryK(every);
        Tables = [table];
        if (double.IsNaN(theory.SharpnessThreshold(1, weightDecay)))
            unavailable.Add($"stability threshold under {theory.Optimizer}: no linear stability analysis (the threshold column is NaN)");
    }

    /// <summary>The quantity when the run asks for it (<see cref="Training.RunSpec.SharpnessEvery"/> &gt; 0); else null.</summary>
    public static ITrackedQuantity? Create(QuantitySetup setup) =>
        setup.Spec.SharpnessEvery is > 0 and var k ? new Sharpness(setup, k) : null;

    /// <inheritdoc />
    public QuantityNeeds Needs => QuantityNeeds.Graph;

    /// <inheritdoc />
    public QuantitySchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<QuantityTable> Tables { get; }

    /// <inheritdoc />
    public IEnumerable<string> Unavailable => unavailable;

    /// <inheritdoc />
    public void Compute(StepContext step)
    {
        double threshold = theory.SharpnessThreshold(step.LearningRate, weightDecay);
        using var scope = NewDisposeScope();
        var (scaling, shift) = Operator(step.Optimizer);
        if (scaling is null)
        {
            // A preconditioned rule before its first update has no preconditioner yet.
            Write(step.Step, double.NaN, threshold, 0, double.NaN);
            return;
        }
        var grads = step.Gradients?.ToList() ?? throw new InvalidOperationException($"step {step.Step}: no gradients with their graph (QuantityNeeds.Graph)");
        var live = parameters.Select(p => p.Param).ToList();
        Tensor Apply(Tensor v)
        {
            using var inner = NewDisposeScope();
            var scaled = v * scaling;
            var hv = HessianVectorProduct.Of(live, grads, Split(scaled));
            var flat = cat(hv.Select(t => t.reshape(-1)).ToArray()) + shift * scaled;
            return (flat * scaling).MoveToOuterDisposeScope();
        }
        var start = eigenvector ?? RandomStart();
        var result = Lanczos.Top(Apply, start, tolerance, maxIterations);
        var previous = eigenvector;
        eigenvector = result.Vector.detach().clone().DetachFromDisposeScope();
        previous?.Dispose();
        Write(step.Step, result.Value, threshold, result.Iterations, result.Residual);
    }

    /// <summary>
    /// The diagonal scaling S and shift D of the operator S(H + D)S whose top eigenvalue is the
    /// sharpness: S = P^{-1/2} (1 without a preconditioner), D = λ per parameter with a coupled decay.
    /// </summary>
    private (Tensor? Scaling, Tensor Shift) Operator(OptimizerView view)
    {
        var first = parameters[0].Param;
        var scaling = new List<Tensor>();
        var shift = new List<Tensor>();
        foreach (var (name, p) in parameters)
        {
            double lambda = theory.DecoupledDecay ? 0 : view.GroupOf(name).WeightDecay;
            using TorchSharp.Scalar l = lambda;
            shift.Add(full([p.numel()], l, dtype: p.dtype, device: p.device));
            if (!theory.Preconditioned) continue;
            if (theory.Preconditioner(optimizer, name) is not { } precondition) return (null, cat(shift.ToArray()));
            scaling.Add(precondition.rsqrt().reshape(-1).to(p.dtype));
        }
        var d = cat(shift.ToArray());
        return theory.Preconditioned ? (cat(scaling.ToArray()), d) : (ones([d.shape[0]], dtype: first.dtype, device: first.device), d);
    }

    private Tensor[] Split(Tensor flat)
    {
        var parts = new Tensor[parameters.Count];
        long offset = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var p = parameters[i].Param;
            long n = p.numel();
            parts[i] = flat.narrow(0, offset, n).view(p.shape);
            offset += n;
        }
        return parts;
    }

    // A start independent of torch's generator, so measuring draws no random number of the run's.
    private Tensor RandomStart()
    {
        long n = parameters.Sum(p => p.Param.numel());
        var mix = new SplitMix64(SplitMix64.Derive(seed, 0x5348_4152_5000));
        var values = new double[n];
        for (long i = 0; i < n; i++) values[i] = mix.NextFloat() - 0.5;
        var first = parameters[0].Param;
        return tensor(values, dtype: ScalarType.Float64).to(first.dtype, first.device);
    }

    private void Write(long step, double value, double threshold, int iterations, double residual)
    {
        table.AddRow().Long(step).Double(value).Double(threshold).Int(iterations).Double(residual).End();
        board.AddScalar("stability/lambda_max", value, step);
        board.AddScalar("stability/threshold", threshold, step);
    }

    /// <inheritdoc />
    public Dictionary<string, double[]> SaveState() =>
        eigenvector is null ? [] : new() { [StateKey] = HostReads.ToDoubles(eigenvector.to(ScalarType.Float64)) };

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        if (!state.TryGetValue(StateKey, out var values)) return;
        long n = parameters.Sum(p => p.Param.numel());
        if (values.Length != n)
            throw new InvalidInputException($"checkpoint: '{StateKey}': expected {n} entries (one per parameter entry), found {values.Length}");
        var first = parameters[0].Param;
        eigenvector?.Dispose();
        eigenvector = tensor(values, dtype: ScalarType.Float64).to(first.dtype, first.device).DetachFromDisposeScope();
    }
}
