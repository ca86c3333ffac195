using NeuralMechanics.Symmetry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Every per-unit reduction the trackers need at a step, planned once and measured with few
/// tensor operations. Per field, the parameters that need it are gathered into one flat tensor,
/// the field is formed there in one elementwise operation (in the parameter's dtype, as a
/// per-parameter computation would) and converted to float64 once; each distinct slice is then
/// reduced once, on a view of that flat tensor with the slice's own shape, and the results of
/// all fields form one float64 vector on the device (<see cref="SymmetryTracker"/> brings many
/// steps of it to the host in one copy). Sets that read the same slice (Q and terms, a weight in
/// two rescale sets) share the reduction; sums and differences across slices are left to the host.
/// </summary>
internal sealed class StepReductions
{
    private readonly Dictionary<StepField, FieldPlan> fields = [];
    private readonly Dictionary<(StepField, int, string, int), Slot> slots = [];
    private readonly Dictionary<Parameter, int> ids = new(ReferenceEqualityComparer.Instance);
    private FieldPlan[]? sealedPlans;

    /// <summary>Number of doubles <see cref="Measure"/> returns.</summary>
    public int Length { get; private set; }

    /// <summary>The per-unit sums of <paramref name="field"/> over <paramref name="slice"/> ([Units] values from <see cref="Slot.Start"/>).</summary>
    public Slot Add(StepField field, UnitSlice slice)
    {
        var key = (field, Id(slice.Tensor), string.Join(",", slice.View), slice.UnitDim);
        if (slots.TryGetValue(key, out var slot)) return slot;
        var others = slice.OtherDims;
        slot = new Slot(checked((int)slice.Units));
        Plan(field).Reductions.Add(new Reduction(slice.Tensor, slice.View, others.Length == 0 ? null : others, slot));
        slots[key] = slot;
        return slot;
    }

    /// <summary>√(mean of θ²) over all of <paramref name="parameter"/> (one value; libtorch's sqrt, as before).</summary>
    public Slot AddRootMeanSquare(Parameter parameter)
    {
        var key = (StepField.ThetaSquared, Id(parameter), "mean", -1);
        if (slots.TryGetValue(key, out var slot)) return slot;
        slot = new Slot(1);
        Plan(StepField.ThetaSquared).Reductions.Add(new Reduction(parameter, parameter.shape, null, slot, Mean: true));
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
        sealedPlans = plans;
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
        var perField = new List<Tensor>(fields.Count);
        foreach (var plan in sealedPlans)
        {
            // The flat field is released as soon as its reductions are taken: one field at a time in memory.
            using var fieldScope = NewDisposeScope();
            var flat = plan.Form(velocity, update ?? (_ => null));
            var parts = new Tensor[plan.Reductions.Count];
            for (int i = 0; i < parts.Length; i++) parts[i] = plan.Reductions[i].Take(flat, plan.Offset(i));
            perField.Add(cat(parts, 0).MoveToOuterDisposeScope());
        }
        if (perField.Count == 0) return zeros(0, dtype: ScalarType.Float64);
        return perField.Count == 1 ? perField[0] : cat(perField, 0);
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
        /// <summary>Index of the first value.</summary>
        public int Start { get; set; }

        /// <summary>Number of values.</summary>
        public int Length { get; } = length;
    }

    /// <summary>
    /// One reduction of a field: sum over <see cref="Others"/> of the parameter viewed as
    /// <see cref="View"/> (no sum when null: a bias is its own per-unit value), or the root of the mean of all of it.
    /// </summary>
    private sealed record Reduction(Parameter Parameter, long[] View, long[]? Others, Slot Slot, bool Mean = false)
    {
        private readonly long[] strides = ContiguousStrides(View);

        public Tensor Take(Tensor flat, long offset)
        {
            var v = flat.as_strided(View, strides, offset);
            if (Mean) return v.mean().sqrt().reshape(1);
            return Others is null ? v : v.sum(Others);
        }

        private static long[] ContiguousStrides(long[] shape)
        {
            var s = new long[shape.Length];
            long step = 1;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                s[d] = step;
                step *= shape[d];
            }
            return s;
        }
    }

    /// <summary>The parameters one field is formed over, their offsets in the flat tensor, and its reductions.</summary>
    private sealed class FieldPlan(StepField field)
    {
        private static readonly Scalar Two = 2;

        private readonly List<Parameter> parameters = [];
        private readonly Dictionary<Parameter, long> offsets = new(ReferenceEqualityComparer.Instance);
        private long[] reductionOffsets = [];

        public StepField Field { get; } = field;

        public List<Reduction> Reductions { get; } = [];

        public long Offset(int reduction) => reductionOffsets[reduction];

        public void Seal()
        {
            long length = 0;
            foreach (var r in Reductions)
            {
                if (offsets.ContainsKey(r.Parameter)) continue;
                offsets[r.Parameter] = length;
                parameters.Add(r.Parameter);
                length += r.Parameter.numel();
            }
            reductionOffsets = Reductions.Select(r => offsets[r.Parameter]).ToArray();
        }

        /// <summary>The field over all its parameters, flat, in float64 (values formed in the parameters' dtype, then converted).</summary>
        public Tensor Form(Func<Parameter, Tensor?> velocity, Func<Parameter, Tensor?> update)
        {
            Tensor Gather(Func<Parameter, Tensor> source)
            {
                var pieces = new Tensor[parameters.Count];
                for (int i = 0; i < pieces.Length; i++) pieces[i] = source(parameters[i]).reshape(-1);
                // TorchSharp's cat hands back a lone tensor itself, not a copy.
                return pieces.Length == 1 ? pieces[0].clone() : cat(pieces, 0);
            }
            static Tensor Theta(Parameter p) => p.detach();
            static Tensor Grad(Parameter p) => p.grad ?? zeros_like(p);
            Tensor Delta(Parameter p) => update(p) ?? zeros_like(p);
            // Gather copies, so the in-place operations below never touch a parameter, gradient or buffer;
            // Squares through a Scalar that lives as long as the class (see SgdOptimizer.Step on why).
            var formed = Field switch
            {
                StepField.Theta => Gather(Theta),
                StepField.ThetaAbs => Gather(Theta).abs_(),
                StepField.ThetaSquared => Gather(Theta).pow_(Two),
                StepField.GradSquared => Gather(Grad).pow_(Two),
                StepField.VelocitySquared => Gather(p => velocity(p) ?? zeros_like(p)).pow_(Two),
                StepField.GradTheta => Gather(Grad).mul_(Gather(Theta)),
                StepField.Update => Gather(Delta),
                StepField.UpdateSquared => Gather(Delta).pow_(Two),
                StepField.PreviousThetaUpdate => Gather(Theta).sub_(Gather(Delta)).mul_(Gather(Delta)),
                StepField.UpdateVelocity => Gather(Delta).mul_(Gather(p => velocity(p) ?? zeros_like(p))),
                _ => throw new ArgumentOutOfRangeException(nameof(Field)),
            };
            return formed.to(ScalarType.Float64);
        }
    }
}
