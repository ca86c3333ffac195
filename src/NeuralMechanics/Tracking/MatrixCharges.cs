using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Tracks the matrix charges of every attention head (docs/design.md, "Transformers"): per head
/// C_QK = Ŵ_QŴ_Qᵀ − Ŵ_KŴ_Kᵀ and C_VO = Ŵ_VŴ_Vᵀ − W_OʰᵀW_Oʰ (d_h × d_h, <see cref="MatrixChargeLaws"/>)
/// against gradient flow (C constant), the modified flow and the exact discrete law of SGD with
/// weight decay. Per step it appends, on the device, the Frobenius norms of the measured charge and
/// of each prediction's error and the size |A|²_F + |B|²_F, and hands them to the shared
/// <see cref="DeviceReader"/>; when they come to the host it writes one row per (step, head, charge) to
/// the <c>charges/</c> table, and the full matrices of the steps observed with <c>logMatrices</c> to
/// <c>charge_matrices/</c> (one row per entry of the upper triangle: the charges are symmetric).
/// </summary>
/// <remarks>
/// Predictions need plain SGD with one weight decay for every parameter of a head (the bias in Ŵ
/// decays with its weight); with momentum, Adam/AdamW or <c>--no-decay bias</c> the prediction
/// columns are NaN and <see cref="Unavailable"/> says why. The momentum law is derived in
/// <see cref="MatrixChargeLaws.MomentumStep"/> but not tracked: it needs the optimizer's velocity after each update.
/// </remarks>
public sealed class MatrixCharges : ITrackedQuantity, IDisposable
{
    /// <summary>Value columns per (step, head, charge): |C|, |C − gradient flow|, |C − continuous|, |C − discrete|, terms.</summary>
    private const int Values = 5;

    // The prediction columns of a run the laws do not cover; held for the process (native lifetime).
    private static readonly Scalar NaN = double.NaN;

    private readonly IReadOnlyList<AttentionLayer> layers;
    private readonly TrajectoryWriter table;
    private readonly TrajectoryWriter matrices;
    private readonly ScheduleClock clock;
    private readonly double lambda;
    private readonly DeviceReader reader;
    // Per layer [2, h, d_h, d_h] (QK, VO), float64 on the device; null before the first observation.
    private Tensor?[] gradientFlow, continuous, discrete;

    // Each projection is a parameter and the rows of it the node uses (all of it, or a block of a packed in_proj_weight).
    private sealed record Part(Parameter Tensor, long Start, long Rows)
    {
        public static Part Of(LayerInfo l, string name) => new(l.Parameters[name], l.StartOf(name), l.ShapeOf(name)[0]);

        public Tensor Take(Tensor x) => Start == 0 && Rows == Tensor.shape[0] ? x : x.narrow(0, Start, Rows);
    }

    private sealed record AttentionLayer(string Name, long Heads, Part Wq, Part Bq, Part Wk, Part Bk, Part Wv, Part Bv, Part Wo);

    /// <summary>
    /// The attention heads of <paramref name="architecture"/>, trained with <paramref name="settings"/>, written to
    /// <paramref name="table"/> and <paramref name="matrices"/> when <paramref name="reader"/> (null: its own, reading every 50 steps) reads.
    /// </summary>
    internal MatrixCharges(Architecture architecture, OptimizerSettings settings, TrajectoryWriter table, TrajectoryWriter matrices, DeviceReader? reader = null)
    {
        layers = Find(architecture);
        this.table = table;
        this.matrices = matrices;
        this.reader = reader ?? new DeviceReader { ReadEvery = 50 };
        Tables = [new QuantityTable(table), new QuantityTable(matrices)];
        clock = new ScheduleClock(settings);
        lambda = settings.WeightDecay;
        var why = new List<string>();
        if (settings.Theory.MatrixChargesUnavailable is { } noLaw) why.Add(noLaw);
        if (settings.WeightDecay != 0 && settings.NoDecay.HasFlag(DecayExclusion.Bias)) why.Add("matrix charges with --no-decay bias: Ŵ = [W | b] decays unevenly; only the measured charge is recorded");
        Unavailable = why;
        Predicted = why.Count == 0;
        gradientFlow = new Tensor?[layers.Count];
        continuous = new Tensor?[layers.Count];
        discrete = new Tensor?[layers.Count];
    }

    /// <summary>The charges of a session's run (<see cref="TrainingSessionOptions.BuiltIn"/>); null when untracked or without attention heads.</summary>
    public static ITrackedQuantity? Create(QuantitySetup setup) =>
        setup.Spec.Track && Applies(setup.Architecture)
            ? new MatrixCharges(setup.Architecture, setup.Spec.Optimizer, setup.Table(TrajectorySchema.ChargesFile, TrajectorySchema.ChargesColumns).Writer,
                setup.Table(TrajectorySchema.ChargeMatricesFile, TrajectorySchema.ChargeMatricesColumns).Writer, setup.Reader)
            : null;

    /// <summary>θ and g only: the laws tracked are those of plain SGD.</summary>
    public QuantityNeeds Needs => QuantityNeeds.None;

    /// <summary>Every step (the predictions advance over every update), and the state after the last update.</summary>
    public QuantitySchedule Schedule => QuantitySchedule.EveryStep;

    /// <summary>charges/ and charge_matrices/.</summary>
    public IReadOnlyList<QuantityTable> Tables { get; }

    /// <summary>Observes the step (<see cref="Observe"/>; the full matrices at logged steps).</summary>
    public void Compute(StepContext step) => Observe(step.Step, step.Logged);

    /// <summary>Whether <paramref name="architecture"/> has attention heads with Linear q, k, v, o projections (the charges to track).</summary>
    public static bool Applies(Architecture architecture) => Find(architecture).Count > 0;

    /// <summary>Why predictions are NaN, if they are.</summary>
    public IReadOnlyList<string> Unavailable { get; }

    IEnumerable<string> ITrackedQuantity.Unavailable => Unavailable;

    /// <summary>Whether the laws apply to the run's optimizer.</summary>
    public bool Predicted { get; }

    private static List<AttentionLayer> Find(Architecture a)
    {
        var found = new List<AttentionLayer>();
        foreach (var attention in a.Layers.Where(l => l.Operation.IsAttention))
        {
            var p = Enumerable.Range(0, 3).Select(i => KeyBiasTranslation.AttentionProjection(a, attention, i)).ToArray();
            var readers = a.Consumers(attention.Index);
            if (p.Any(x => x?.Bias is null) || readers.Count != 1 || a.Layers[readers[0]] is not { Operation.MapsFeatures: true } o) continue;
            found.Add(new AttentionLayer(attention.Name, attention.Heads, Part.Of(p[0]!, "weight"), Part.Of(p[0]!, "bias"), Part.Of(p[1]!, "weight"),
                Part.Of(p[1]!, "bias"), Part.Of(p[2]!, "weight"), Part.Of(p[2]!, "bias"), Part.Of(o, "weight")));
        }
        return found;
    }

    // Ŵ = [W | b] per head: [h, d_h, in + 1].
    private static Tensor Rows(Tensor w, Tensor b, long heads) =>
        cat([w, b.unsqueeze(1)], 1).to(ScalarType.Float64).view(heads, w.shape[0] / heads, w.shape[1] + 1);

    // W_Oʰ's columns as rows: [h, d_h, out].
    private static Tensor Columns(Tensor w, long heads) =>
        w.to(ScalarType.Float64).view(w.shape[0], heads, w.shape[1] / heads).permute(1, 2, 0);

    private static (Tensor A, Tensor B)[] Factors(AttentionLayer l, Func<Parameter, Tensor> field)
    {
        Tensor of(Part p) => p.Take(field(p.Tensor));
        return [(Rows(of(l.Wq), of(l.Bq), l.Heads), Rows(of(l.Wk), of(l.Bk), l.Heads)), (Rows(of(l.Wv), of(l.Bv), l.Heads), Columns(of(l.Wo), l.Heads))];
    }

    private static Tensor Charges((Tensor A, Tensor B)[] f) => stack(f.Select(x => MatrixChargeLaws.Difference(x.A, x.B)).ToArray());

    /// <summary>
    /// Records the charges of step <paramref name="step"/> (the state before update n, with its
    /// gradients in .grad) against the predictions, then advances the predictions over update n.
    /// With <paramref name="logMatrices"/> the full matrices are kept too.
    /// </summary>
    public void Observe(long step, bool logMatrices)
    {
        ObservedOnHost = HostKernel && ObserveOnHost(step, logMatrices);
        if (!ObservedOnHost) ObserveOnDevice(step, logMatrices);
    }

    /// <summary>Whether float32 CPU parameters take the host kernel (<see cref="HeadGrams"/>); false: always libtorch's tensor form.</summary>
    internal bool HostKernel { get; init; } = true;

    /// <summary>Whether the last observation ran on the host kernel.</summary>
    internal bool ObservedOnHost { get; private set; }

    // The tensor form, on any device and dtype: dozens of small operations per layer.
    private void ObserveOnDevice(long step, bool logMatrices)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double eta = clock.LearningRate(step);
        var norms = new List<Tensor>();
        var kept = new List<(int Layer, Tensor Measured, Tensor Discrete)>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            var factors = Factors(l, p => p);
            var charge = Charges(factors);
            if (discrete[i] is null)
            {
                gradientFlow[i] = charge.clone().DetachFromDisposeScope();
                continuous[i] = charge.clone().DetachFromDisposeScope();
                discrete[i] = charge.clone().DetachFromDisposeScope();
            }
            var terms = stack(factors.Select(f => f.A.square().sum([1, 2]) + f.B.square().sum([1, 2])).ToArray());
            Tensor Error(Tensor prediction) => (charge - prediction).square().sum([2, 3]).sqrt();
            var row = Predicted
                ? stack([charge.square().sum([2, 3]).sqrt(), Error(gradientFlow[i]!), Error(continuous[i]!), Error(discrete[i]!), terms], -1)
                : stack([charge.square().sum([2, 3]).sqrt(), full_like(terms, NaN), full_like(terms, NaN), full_like(terms, NaN), terms], -1);
            norms.Add(row);
            if (logMatrices) kept.Add((i, charge.clone(), discrete[i]!.clone()));
            if (!Predicted || l.Wq.Tensor.grad is null) continue;
            var forcing = Charges(Factors(l, p => p.grad!));
            discrete[i]!.copy_(MatrixChargeLaws.DiscreteStep(discrete[i]!, forcing, eta, lambda));
            continuous[i]!.copy_(MatrixChargeLaws.ModifiedFlowStep(continuous[i]!, forcing, eta, lambda));
        }
        // [layers, 2 (QK, VO), heads, Values]
        var all = stack(norms.ToArray());
        long heads = all.shape[2];
        reader.Defer(step, all, v => WriteNorms(step, heads, v));
        if (kept.Count > 0)
        {
            // Every kept matrix, measured then predicted.
            var shapes = kept.Select(k => (k.Layer, k.Measured.shape)).ToArray();
            reader.Defer(step, cat(kept.SelectMany(k => new[] { k.Measured.view(-1), k.Discrete.view(-1) }).ToArray(), 0), v => WriteMatrices(step, shapes, v));
        }
    }

    // The same rows from float32 CPU memory: the charges, norms and prediction steps summed in float64
    // on the host, the rows then handed to the reader as the tensor form's are (its order and StopAt kept).
    // False, with nothing changed, when some factor, gradient or prediction is not host memory of its dtype.
    private bool ObserveOnHost(long step, bool logMatrices)
    {
        // The host kernel reads whole parameters; a row block of a packed in_proj_weight takes the tensor form.
        if (layers.Any(l => new[] { l.Wq, l.Bq, l.Wk, l.Bk, l.Wv, l.Bv, l.Wo }.Any(p => p.Start != 0 || p.Rows != p.Tensor.shape[0]))) return false;
        using var scope = NewDisposeScope();
        // The wrappers (.grad makes a new one per call) are held by the scope until the sums are done.
        var weights = layers.Select(l => new[] { l.Wq, l.Bq, l.Wk, l.Bk, l.Wv, l.Bv, l.Wo }.Select(p => (Tensor)p.Tensor).ToArray()).ToArray();
        var grads = layers.Select(l => Predicted && l.Wq.Tensor.grad is not null
            ? new[] { l.Wq, l.Bq, l.Wk, l.Bk, l.Wv, l.Bv, l.Wo }.Select(p => p.Tensor.grad).ToArray()
            : null).ToArray();
        if (!weights.All(ws => ws.All(w => HostMemory.TryGetSingles(w, out _)))) return false;
        if (!grads.All(gs => gs is null || gs.All(g => HostMemory.TryGetSingles(g, out _)))) return false;
        for (int i = 0; i < layers.Count; i++)
            foreach (var state in new[] { gradientFlow[i], continuous[i], discrete[i] })
                if (state is not null && !HostMemory.TryGetWritableDoubles(state, out _)) return false;

        double eta = clock.LearningRate(step);
        var (discreteDecay, discreteDrive) = MatrixChargeLaws.DiscreteCoefficients(eta, lambda);
        var (flowDecay, flowDrive) = MatrixChargeLaws.ModifiedFlowCoefficients(eta, lambda);
        var norms = new List<double>();
        var kept = new List<double>();
        var keptShapes = new List<(int Layer, long[] Shape)>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            int heads = (int)l.Heads, dh = (int)(l.Wq.Rows / l.Heads), size = dh * dh;
            long[] shape = [2, heads, dh, dh];
            var charge = new double[2 * heads * size];
            var terms = ChargesOnHost(weights[i], heads, dh, charge);
            if (discrete[i] is null)
            {
                // An array each: a tensor made from an array may keep it as its storage.
                gradientFlow[i] = tensor((double[])charge.Clone(), shape, ScalarType.Float64).DetachFromDisposeScope();
                continuous[i] = tensor((double[])charge.Clone(), shape, ScalarType.Float64).DetachFromDisposeScope();
                discrete[i] = tensor((double[])charge.Clone(), shape, ScalarType.Float64).DetachFromDisposeScope();
            }
            HostMemory.TryGetWritableDoubles(gradientFlow[i], out var flow);
            HostMemory.TryGetWritableDoubles(continuous[i], out var modified);
            HostMemory.TryGetWritableDoubles(discrete[i], out var exact);
            // [2 (QK, VO), heads, Values], as the tensor form's row.
            for (int h = 0; h < 2 * heads; h++)
            {
                var c = charge.AsSpan(h * size, size);
                norms.Add(Math.Sqrt(SquaredDistance(c, default)));
                norms.Add(Predicted ? Math.Sqrt(SquaredDistance(c, flow.Slice(h * size, size))) : double.NaN);
                norms.Add(Predicted ? Math.Sqrt(SquaredDistance(c, modified.Slice(h * size, size))) : double.NaN);
                norms.Add(Predicted ? Math.Sqrt(SquaredDistance(c, exact.Slice(h * size, size))) : double.NaN);
                norms.Add(terms[h]);
            }
            if (logMatrices)
            {
                keptShapes.Add((i, shape));
                kept.AddRange(charge);
                kept.AddRange(exact.ToArray());
            }
            if (grads[i] is not { } g) continue;
            var forcing = new double[charge.Length];
            ChargesOnHost(g!, heads, dh, forcing);
            for (int k = 0; k < forcing.Length; k++)
            {
                exact[k] = exact[k] * discreteDecay + forcing[k] * discreteDrive;
                modified[k] = modified[k] * flowDecay + forcing[k] * flowDrive;
            }
        }
        long rowHeads = layers[0].Heads;
        reader.Defer(step, tensor(norms.ToArray(), ScalarType.Float64), v => WriteNorms(step, rowHeads, v));
        if (kept.Count > 0)
        {
            var shapes = keptShapes.ToArray();
            reader.Defer(step, tensor(kept.ToArray(), ScalarType.Float64), v => WriteMatrices(step, shapes, v));
        }
        return true;
    }

    // Σ (a − b)², b absent (empty) reading as zeros.
    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = b.IsEmpty ? a[k] : a[k] - b[k];
            s += d * d;
        }
        return s;
    }

    // C_QK and C_VO of every head of one layer into charge [2, heads, d_h, d_h] from [Wq, bq, Wk, bk, Wv, bv, Wo]
    // (parameters or their gradients, host float32); returns |A|²_F + |B|²_F per [2, heads].
    private static double[] ChargesOnHost(Tensor?[] t, int heads, int dh, double[] charge)
    {
        HostMemory.TryGetSingles(t[0], out var wq);
        HostMemory.TryGetSingles(t[1], out var bq);
        HostMemory.TryGetSingles(t[2], out var wk);
        HostMemory.TryGetSingles(t[3], out var bk);
        HostMemory.TryGetSingles(t[4], out var wv);
        HostMemory.TryGetSingles(t[5], out var bv);
        HostMemory.TryGetSingles(t[6], out var wo);
        int inputs = (int)t[0]!.shape[1], width = (int)t[6]!.shape[1], size = dh * dh;
        var terms = new double[2 * heads];
        for (int h = 0; h < heads; h++)
        {
            var qk = charge.AsSpan(h * size, size);
            var vo = charge.AsSpan((heads + h) * size, size);
            terms[h] = HeadGrams.AddRows(wq, bq, h * dh, dh, inputs, qk, 1) + HeadGrams.AddRows(wk, bk, h * dh, dh, inputs, qk, -1);
            terms[heads + h] = HeadGrams.AddRows(wv, bv, h * dh, dh, inputs, vo, 1) + HeadGrams.AddColumns(wo, h * dh, dh, width, vo, -1);
        }
        GC.KeepAlive(t);
        return terms;
    }

    /// <summary>Brings the values still on the device to the host (with every other value of the reader) and writes their rows.</summary>
    public void Flush() => reader.Flush();

    private void WriteNorms(long step, long heads, double[] v)
    {
        int at = 0;
        for (int i = 0; i < layers.Count; i++)
            for (int c = 0; c < 2; c++)
                for (long h = 0; h < heads; h++, at += Values)
                    table.AddRow().Long(step).Double(clock.Time(step)).String($"{layers[i].Name}.h{h}").String(c == 0 ? "qk" : "vo")
                        .Double(v[at]).Double(v[at + 1]).Double(v[at + 2]).Double(v[at + 3]).Double(v[at + 4]).End();
    }

    private void WriteMatrices(long step, (int Layer, long[] Shape)[] kept, double[] all)
    {
        int offset = 0;
        foreach (var (layer, shape) in kept)
        {
            int size = (int)shape.Aggregate(1L, (a, b) => a * b);
            var m = all.AsSpan(offset, size);
            var d = all.AsSpan(offset + size, size);
            offset += 2 * size;
            long h = shape[1], n = shape[2];
            var name = layers[layer].Name;
            for (int c = 0; c < 2; c++)
                for (long head = 0; head < h; head++)
                    for (long r = 0; r < n; r++)
                        for (long col = r; col < n; col++)
                        {
                            long at = ((c * h + head) * n + r) * n + col;
                            matrices.AddRow().Long(step).Double(clock.Time(step)).String($"{name}.h{head}").String(c == 0 ? "qk" : "vo")
                                .Int((int)r).Int((int)col).Double(m[(int)at]).Double(Predicted ? d[(int)at] : double.NaN).End();
                        }
        }
    }

    /// <summary>The predictions, for the checkpoint's tracker state (keys "charges/…"); flushes first.</summary>
    public Dictionary<string, double[]> SaveState()
    {
        Flush();
        var state = new Dictionary<string, double[]>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (discrete[i] is null) continue;
            state[$"charges/{layers[i].Name}/gradient_flow"] = gradientFlow[i]!.cpu().data<double>().ToArray();
            state[$"charges/{layers[i].Name}/continuous"] = continuous[i]!.cpu().data<double>().ToArray();
            state[$"charges/{layers[i].Name}/discrete"] = discrete[i]!.cpu().data<double>().ToArray();
        }
        return state;
    }

    /// <summary>Restores <see cref="SaveState"/>'s output (a state without the keys starts the predictions at the next observation).</summary>
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            long dh = l.Wq.Rows / l.Heads;
            Tensor? Load(string what) => state.TryGetValue($"charges/{l.Name}/{what}", out var v)
                ? tensor(v, [2, l.Heads, dh, dh], ScalarType.Float64).to(l.Wq.Tensor.device).DetachFromDisposeScope()
                : null;
            gradientFlow[i]?.Dispose(); continuous[i]?.Dispose(); discrete[i]?.Dispose();
            (gradientFlow[i], continuous[i], discrete[i]) = (Load("gradient_flow"), Load("continuous"), Load("discrete"));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        table.Dispose();
        matrices.Dispose();
        foreach (var t in gradientFlow.Concat(continuous).Concat(discrete)) t?.Dispose();
    }
}
