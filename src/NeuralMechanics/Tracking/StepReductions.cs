using NeuralMechanics.Symmetry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Every per-unit reduction the trackers need at a step, planned once and measured with few
/// tensor operations. Per field and parameter, the field is formed once on the parameter's own
/// tensors (in its dtype, as the group definitions compute it) and each distinct slice of it is
/// reduced once, summing in float64 (<see cref="UnitSlice.Reduce"/>'s arithmetic); the results of
/// all fields form one float64 vector on the device (<see cref="SymmetryTracker"/> brings many
/// steps of it to the host in one copy). Sets that read the same slice (Q and terms, a weight in
/// two rescale sets) share the reduction; sums and differences across slices are left to the host.
/// Nothing is gathered or copied: per step the work is one elementwise pass per field and
/// parameter and one reduction per slice. On the CPU, <see cref="TryMeasureOnHost"/> does the same
/// sums straight from the tensors' memory (<see cref="UnitSums"/>), with no native call per reduction.
/// </summary>
internal sealed class StepReductions
{
    private readonly Dictionary<StepField, FieldPlan> fields = [];
    private readonly Dictionary<(StepField, int, string, int), Slot> slots = [];
    private readonly Dictionary<Parameter, int> ids = new(ReferenceEqualityComparer.Instance);
    private FieldPlan[]? sealedPlans;
    private HostWorkItem[] hostWork = [];
    private int reductionCount;

    /// <summary>Number of doubles <see cref="Measure"/> returns.</summary>
    public int Length { get; private set; }

    /// <summary>The per-unit sums of <paramref name="field"/> over <paramref name="slice"/> ([Units] values from <see cref="Slot.Start"/>).</summary>
    public Slot Add(StepField field, UnitSlice slice)
    {
        // A row block of a packed parameter starts Offset elements into it.
        long offset = slice.IsWhole ? 0 : slice.Start * (slice.Tensor.numel() / slice.Tensor.shape[0]);
        var key = (field, Id(slice.Tensor), $"{string.Join(",", slice.View)}@{offset}", slice.UnitDim);
        if (!slots.TryGetValue(key, out var slot))
        {
            var others = slice.OtherDims;
            slot = new Slot(checked((int)slice.AllUnits));
            Plan(field).Reductions.Add(new Reduction(slice.Tensor, slice.View, others.Length == 0 ? null : others, slot, UnitGeometry.Of(slice.View, slice.UnitDim))
            {
                Offset = offset, Whole = slice.IsWhole,
            });
            slots[key] = slot;
        }
        // A partial slice (one part of a concatenation) reads its range of the whole reduction.
        return slice.Partial ? new Slot(slot, checked((int)slice.From), checked((int)slice.Units)) : slot;
    }

    /// <summary>√(mean of θ²) over all of <paramref name="parameter"/> (one value; libtorch's sqrt, as before).</summary>
    public Slot AddRootMeanSquare(Parameter parameter)
    {
        var key = (StepField.ThetaSquared, Id(parameter), "mean", -1);
        if (slots.TryGetValue(key, out var slot)) return slot;
        slot = new Slot(1);
        Plan(StepField.ThetaSquared).Reductions.Add(new Reduction(parameter, parameter.shape, null, slot, new UnitGeometry(1, 1, checked((int)parameter.numel())), Mean: true));
        slots[key] = slot;
        return slot;
    }

    /// <summary>Fixes every slot's place in the measured array; call after the last <see cref="Add"/>.</summary>
    public void Seal()
    {
        int at = 0;
        var plans = fields.Values.OrderBy(p => p.Field).ToArray();
        foreach (var plan in plans)
        {
            plan.Seal();
            foreach (var r in plan.Reductions)
            {
                r.Slot.Start = at;
                at += r.Slot.Length;
            }
        }
        Length = at;
        reductionCount = plans.Sum(p => p.Reductions.Count);
        sealedPlans = plans;
        hostWork = HostWork(plans);
    }

    /// <summary>
    /// Measures every planned reduction at the current state (θ, .grad, momentum buffers from
    /// <paramref name="velocity"/>, the last updates from <paramref name="update"/>) and returns them
    /// on the host, each slot at its place (one <see cref="HostReads"/> read).
    /// </summary>
    public double[] Measure(Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?>? update = null)
    {
        using var scope = NewDisposeScope();
        return HostReads.ToDoubles(MeasureOnDevice(velocity, update));
    }

    /// <summary>
    /// <see cref="Measure"/>'s values as a float64 [<see cref="Length"/>] tensor on the parameters'
    /// device, nothing copied to the host; it belongs to the current dispose scope.
    /// </summary>
    public Tensor MeasureOnDevice(Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?>? update = null)
    {
        if (sealedPlans is null) throw new InvalidOperationException("the reduction plan is not sealed");
        using var noGrad = no_grad();
        var parts = new Tensor[reductionCount];
        int at = 0;
        foreach (var plan in sealedPlans)
        {
            plan.Take(velocity, update ?? (_ => null), parts, at);
            at += plan.Reductions.Count;
        }
        if (parts.Length == 0) return zeros(0, dtype: ScalarType.Float64);
        return parts.Length == 1 ? parts[0].clone() : cat(parts, 0);
    }

    /// <summary>
    /// <see cref="Measure"/>'s values computed on the host from the tensors' memory (<see cref="UnitSums"/>),
    /// with no tensor operation and no <see cref="HostReads"/> read; false (and null) when some tensor
    /// is not a contiguous float32 tensor on the CPU: then measure on the device.
    /// </summary>
    public bool TryMeasureOnHost(Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?>? update, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out double[]? values)
    {
        if (sealedPlans is null) throw new InvalidOperationException("the reduction plan is not sealed");
        var measured = new double[Length];
        // One thread: a second one competes with libtorch's OpenMP workers, which spin between its
        // operations (measured: twice as fast in a loop of its own, twice as slow between training steps).
        bool ok = true;
        foreach (var item in hostWork)
        {
            if (!ok) break;
            ok = TakeOnHost(item, velocity, update, measured);
        }
        values = ok ? measured : null;
        return ok;
    }

    // Per parameter, every field's host passes over it: its tensors are looked up once a step, whatever the fields.
    private sealed record HostWorkItem(Parameter Parameter, (FieldPlan Plan, int Index)[] Work, bool Theta, bool Grad, bool Velocity, bool Update);

    private static HostWorkItem[] HostWork(FieldPlan[] plans) =>
        plans.SelectMany(plan => Enumerable.Range(0, plan.Parameters).Select(k => (Plan: plan, Index: k)))
            .GroupBy(w => w.Plan.ParameterAt(w.Index), ReferenceEqualityComparer.Instance)
            .Select(g =>
            {
                var work = g.Select(w => (w.Plan, w.Index)).ToArray();
                bool Reads(Func<StepField, bool> uses) => work.Any(w => uses(w.Plan.Field));
                return new HostWorkItem((Parameter)g.Key!, work, Reads(UnitSums.ReadsTheta), Reads(UnitSums.ReadsGrad),
                    Reads(UnitSums.ReadsVelocity), Reads(UnitSums.ReadsUpdate));
            }).ToArray();

    private static bool TakeOnHost(HostWorkItem item, Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?>? update, double[] measured)
    {
        var parameter = item.Parameter;
        // The wrappers (.grad makes a new one per call) are held until the sums are done.
        using var scope = NewDisposeScope();
        Tensor? theta = item.Theta ? parameter : null;
        Tensor? grad = item.Grad ? parameter.grad : null;
        Tensor? buffer = item.Velocity ? velocity(parameter) : null;
        Tensor? delta = item.Update && update is not null ? update(parameter) : null;
        if (!Readable(theta, out var t) || !Readable(grad, out var g) || !Readable(buffer, out var v) || !Readable(delta, out var d)) return false;
        var x = new StepInputs(t, g, v, d);
        foreach (var (plan, k) in item.Work) plan.TakeOnHost(k, x, measured);
        GC.KeepAlive(theta);
        GC.KeepAlive(grad);
        GC.KeepAlive(buffer);
        GC.KeepAlive(delta);
        return true;
    }

    // An absent tensor reads as zeros (an empty span); a present one must be host memory.
    private static bool Readable(Tensor? tensor, out ReadOnlySpan<float> values)
    {
        values = default;
        return tensor is null || HostMemory.TryGetSingles(tensor, out values);
    }

    private int Id(Parameter p)
    {
        if (!ids.TryGetValue(p, out int id)) ids[p] = id = ids.Count;
        return id;
    }

    private FieldPlan Plan(StepField field)
    {
        if (sealedPlans is not null) throw new InvalidOperationException("the reduction plan is sealed");
        if (!fields.TryGetValue(field, out var plan)) fields[field] = plan = new FieldPlan(field);
        return plan;
    }

    /// <summary>Where a reduction's values lie in <see cref="Measure"/>'s array.</summary>
    internal sealed class Slot(int length)
    {
        private readonly Slot? whole;
        private readonly int offset;
        private int start;

        /// <summary>The values <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="length"/> of <paramref name="whole"/>'s.</summary>
        public Slot(Slot whole, int offset, int length) : this(length)
        {
            this.whole = whole;
            this.offset = offset;
        }

        /// <summary>Index of the first value.</summary>
        public int Start
        {
            get => whole is null ? start : whole.Start + offset;
            set => start = whole is null ? value : throw new InvalidOperationException("a range of a slot is placed with its whole slot");
        }

        /// <summary>Number of values.</summary>
        public int Length { get; } = length;
    }

    /// <summary>
    /// One reduction of a field: sum over <see cref="Others"/> of the parameter viewed as
    /// <see cref="View"/> (no sum when null: a bias is its own per-unit value), or the root of the mean of all of it.
    /// </summary>
    private sealed record Reduction(Parameter Parameter, long[] View, long[]? Others, Slot Slot, UnitGeometry Geometry, bool Mean = false)
    {
        /// <summary>Where the reduced elements start in the parameter (a row block of a packed parameter); 0 otherwise.</summary>
        public long Offset { get; init; }

        /// <summary>Whether the reduction covers the whole parameter.</summary>
        public bool Whole { get; init; } = true;

        private long Elements => View.Aggregate(1L, (a, b) => a * b);

        // The block's elements of each field (an absent field stays empty).
        private StepInputs Block(in StepInputs x)
        {
            if (Whole) return x;
            int at = checked((int)Offset), n = checked((int)Elements);
            static ReadOnlySpan<float> Cut(ReadOnlySpan<float> s, int at, int n) => s.IsEmpty ? s : s.Slice(at, n);
            return new StepInputs(Cut(x.Theta, at, n), Cut(x.Grad, at, n), Cut(x.Velocity, at, n), Cut(x.Update, at, n));
        }

        /// <summary>The same reduction of the field in <paramref name="x"/>'s memory, into its slot of <paramref name="measured"/>.</summary>
        public void TakeOnHost(StepField field, in StepInputs x, double[] measured)
        {
            var into = measured.AsSpan(Slot.Start, Slot.Length);
            UnitSums.Sum(field, Block(x), Geometry, into);
            if (Mean) into[0] = Math.Sqrt(into[0] / Geometry.Length);
        }

        /// <summary>
        /// <paramref name="rows"/> ([1, R, C]) and <paramref name="columns"/> ([R, U, K], U·K = C) of the
        /// same field and parameter in one pass over its memory; a K-long run is summed after its columns.
        /// </summary>
        public static void TakeRowsAndColumnsOnHost(StepField field, in StepInputs x, Reduction rows, Reduction columns, double[] measured)
        {
            UnitSums.SumRowsAndColumns(field, rows.Block(x), rows.Geometry.Units, rows.Geometry.Inner, measured.AsSpan(rows.Slot.Start, rows.Slot.Length),
                measured.AsSpan(columns.Slot.Start, columns.Slot.Length), columns.Geometry.Inner);
        }

        /// <summary>Takes the reduction of the field <paramref name="x"/> (the parameter's shape and dtype), in float64.</summary>
        public Tensor Take(Tensor x)
        {
            if (Mean) return x.to(ScalarType.Float64).mean().sqrt().reshape(1);
            // As UnitSlice.Reduce: the sum converts to float64 before it adds.
            if (!Whole) x = x.view(-1).narrow(0, Offset, Elements);
            var v = x.shape.SequenceEqual(View) ? x : x.view(View);
            return Others is null ? v.to(ScalarType.Float64) : v.sum(Others, type: ScalarType.Float64);
        }
    }

    /// <summary>The parameters one field is formed over and, per parameter, the reductions taken of it.</summary>
    private sealed class FieldPlan(StepField field)
    {
        private static readonly Scalar Two = 2;

        private (Parameter Parameter, int[] Reductions)[] perParameter = [];

        public StepField Field { get; } = field;

        public List<Reduction> Reductions { get; } = [];

        // Per parameter, the host's passes: a reduction alone (Second −1), or rows with columns in one pass.
        private (int First, int Second)[][] hostPasses = [];

        public void Seal()
        {
            perParameter = Reductions.Select((r, i) => (r, i)).GroupBy(x => x.r.Parameter, ReferenceEqualityComparer.Instance)
                .Select(g => ((Parameter)g.Key!, g.Select(x => x.i).ToArray())).ToArray();
            hostPasses = perParameter.Select(p => HostPasses(p.Reductions)).ToArray();
        }

        // Pairs a weight's rows [1, R, C] with a reduction over its rows [R, U, K] (U·K = C): one pass for both.
        private (int, int)[] HostPasses(int[] reductions)
        {
            var left = reductions.ToList();
            var passes = new List<(int, int)>();
            while (left.Count > 0)
            {
                int first = left[0];
                left.RemoveAt(0);
                var a = Reductions[first];
                int partner = left.FindIndex(other => Pairs(a, Reductions[other]) || Pairs(Reductions[other], a));
                if (partner < 0)
                {
                    passes.Add((first, -1));
                    continue;
                }
                int second = left[partner];
                left.RemoveAt(partner);
                passes.Add(Pairs(a, Reductions[second]) ? (first, second) : (second, first));
            }
            return passes.ToArray();
        }

        private static bool Pairs(Reduction rows, Reduction columns) =>
            !rows.Mean && !columns.Mean && rows.Offset == columns.Offset && rows.Whole == columns.Whole && rows.Geometry.Outer == 1 && columns.Geometry.Outer == rows.Geometry.Units && columns.Geometry.Outer > 1
            && (long)columns.Geometry.Units * columns.Geometry.Inner == rows.Geometry.Inner;

        /// <summary>Writes each reduction's [Units] float64 values into <paramref name="parts"/> from <paramref name="at"/>, in reduction order.</summary>
        public void Take(Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?> update, Tensor[] parts, int at)
        {
            foreach (var (parameter, reductions) in perParameter)
            {
                // The field is released as soon as its reductions are taken: one parameter's field at a time in memory.
                using var scope = NewDisposeScope();
                var x = Form(parameter, velocity, update);
                // Read by several reductions, the field is converted once (the same values the sums would convert to).
                if (reductions.Length > 1) x = x.to(ScalarType.Float64);
                foreach (int r in reductions) parts[at + r] = Reductions[r].Take(x).MoveToOuterDisposeScope();
            }
        }

        /// <summary>Number of parameters the field is formed over.</summary>
        public int Parameters => perParameter.Length;

        /// <summary><see cref="Take"/>'s values for parameter <paramref name="k"/> from its tensors' memory <paramref name="x"/> into <paramref name="measured"/>.</summary>
        public void TakeOnHost(int k, in StepInputs x, double[] measured)
        {
            foreach (var (first, second) in hostPasses[k])
            {
                if (second < 0) Reductions[first].TakeOnHost(Field, x, measured);
                else Reduction.TakeRowsAndColumnsOnHost(Field, x, Reductions[first], Reductions[second], measured);
            }
        }

        /// <summary>The parameter <paramref name="k"/>.</summary>
        public Parameter ParameterAt(int k) => perParameter[k].Parameter;

        /// <summary>The field on one parameter, in its dtype; out of place, so no parameter, gradient or buffer changes.</summary>
        private Tensor Form(Parameter p, Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?> update)
        {
            var theta = p.detach();
            Tensor Grad() => p.grad ?? zeros_like(p);
            Tensor Delta() => update(p) ?? zeros_like(p);
            Tensor Velocity() => velocity(p) ?? zeros_like(p);
            // Squares through a Scalar that lives as long as the class (see SgdOptimizer.Step on why).
            return Field switch
            {
                StepField.Theta => theta,
                StepField.ThetaAbs => theta.abs(),
                StepField.ThetaSquared => theta.pow(Two),
                StepField.GradSquared => Grad().pow(Two),
                StepField.VelocitySquared => Velocity().pow(Two),
                StepField.GradTheta => Grad().mul(theta),
                StepField.Update => Delta(),
                StepField.UpdateSquared => Delta().pow(Two),
                StepField.PreviousThetaUpdate => theta.sub(Delta()).mul_(Delta()),
                StepField.UpdateVelocity => Delta().mul(Velocity()),
                _ => throw new ArgumentOutOfRangeException(nameof(Field)),
            };
        }
    }
}
