using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralMechanics.Tracking;

/// <summary>
/// A parameter viewed as [outer, units, inner] (row-major): the per-unit sums run over outer and
/// inner. A linear layer's rows are [1, out, in], its columns [out, in, 1], a convolution's input
/// channels [out, in, k·k], a bias [1, n, 1] (its own per-unit value), the whole tensor [1, 1, n].
/// </summary>
internal readonly record struct UnitGeometry(int Outer, int Units, int Inner)
{
    /// <summary>Elements covered: outer × units × inner.</summary>
    public long Length => (long)Outer * Units * Inner;

    /// <summary>The geometry of <paramref name="view"/> with the groups along <paramref name="unitDim"/>.</summary>
    public static UnitGeometry Of(long[] view, int unitDim)
    {
        long outer = 1, inner = 1;
        for (int d = 0; d < unitDim; d++) outer *= view[d];
        for (int d = unitDim + 1; d < view.Length; d++) inner *= view[d];
        return new UnitGeometry(checked((int)outer), checked((int)view[unitDim]), checked((int)inner));
    }
}

/// <summary>
/// One step's tensors of one parameter as float32 memory: θ, .grad g, the momentum buffer v and the
/// recorded update Δθ; a tensor that does not exist (yet) is an empty span.
/// </summary>
internal readonly ref struct StepInputs(ReadOnlySpan<float> theta, ReadOnlySpan<float> grad, ReadOnlySpan<float> velocity, ReadOnlySpan<float> update)
{
    public readonly ReadOnlySpan<float> Theta = theta, Grad = grad, Velocity = velocity, Update = update;
}

/// <summary>
/// The tracker's per-unit sums on the CPU, straight from the tensors' memory in one pass per
/// reduction: each element's field is formed in float32, exactly as the tensor expression forms it
/// (θ², g·θ, (θ − Δθ)·Δθ: one IEEE single rounding per operation), widened to float64 and summed in
/// float64, as <c>sum(dtype: float64)</c> does. Only the order of the float64 additions differs from
/// libtorch's (SIMD lanes, then blocks), a difference of a few ulps of the sum. Per step this replaces
/// dozens of native calls, each with its dispatch and temporary tensors, by one loop over memory
/// that is already in cache after the backward pass.
/// </summary>
internal static class UnitSums
{
    /// <summary>
    /// Writes Σ over outer and inner of <paramref name="field"/> per unit into <paramref name="into"/>
    /// ([Units] values). A field whose tensor does not exist is zero, as the tensor path's zeros_like.
    /// </summary>
    public static void Sum(StepField field, in StepInputs x, UnitGeometry geometry, Span<double> into)
    {
        if (into.Length != geometry.Units) throw new ArgumentException($"expected {geometry.Units} values, given {into.Length}", nameof(into));
        bool present = Present(field, x, geometry);
        into.Clear();
        if (!present) return;
        var kernel = new BlockKernel(x, geometry, into);
        Dispatch(field, ref kernel);
    }

    /// <summary>
    /// The row sums and the column sums of <paramref name="field"/> over the parameter viewed as
    /// [<paramref name="rows"/>, <paramref name="width"/>], in one pass: a weight's incoming groups
    /// (its rows) and the next layer's outgoing ones (its columns) read its memory once.
    /// </summary>
    /// <remarks>
    /// With <paramref name="run"/> &gt; 1 the columns come in runs of that length (a convolution's
    /// k×k per input channel): <paramref name="columnsInto"/> gets the sum of each run, width / run values.
    /// </remarks>
    public static void SumRowsAndColumns(StepField field, in StepInputs x, int rows, int width, Span<double> rowsInto, Span<double> columnsInto, int run = 1)
    {
        if (rowsInto.Length != rows || (long)columnsInto.Length * run != width) throw new ArgumentException($"expected {rows} and {width}/{run} values");
        var geometry = new UnitGeometry(rows, width, 1);
        rowsInto.Clear();
        columnsInto.Clear();
        if (!Present(field, x, geometry)) return;
        var columns = run == 1 ? columnsInto : width <= MaxStackSums ? stackalloc double[width] : new double[width];
        columns.Clear();
        var kernel = new RowsAndColumnsKernel(x, rows, width, rowsInto, columns);
        Dispatch(field, ref kernel);
        if (run > 1) FoldRuns(columns, run, columnsInto);
    }

    // Column sums up to this many are kept on the stack before their runs are folded.
    private const int MaxStackSums = 4096;

    // into[u] = Σ of sums[u·run .. (u+1)·run).
    private static void FoldRuns(ReadOnlySpan<double> sums, int run, Span<double> into)
    {
        for (int u = 0; u < into.Length; u++)
        {
            double sum = 0;
            for (int i = 0; i < run; i++) sum += sums[u * run + i];
            into[u] = sum;
        }
    }

    /// <summary>A loop over memory, run with the field's elementwise formula as a type (so the JIT inlines it).</summary>
    private interface IKernel
    {
        void Run<TField>() where TField : struct, IField;
    }

    private ref struct BlockKernel(StepInputs x, UnitGeometry geometry, Span<double> into) : IKernel
    {
        private readonly StepInputs x = x;
        private readonly Span<double> into = into;

        public readonly void Run<TField>() where TField : struct, IField => Sum<TField>(x, geometry, into);
    }

    private ref struct RowsAndColumnsKernel(StepInputs x, int rows, int width, Span<double> rowsInto, Span<double> columnsInto) : IKernel
    {
        private readonly StepInputs x = x;
        private readonly Span<double> rowsInto = rowsInto, columnsInto = columnsInto;

        public readonly void Run<TField>() where TField : struct, IField => RowsAndColumns<TField>(x, rows, width, rowsInto, columnsInto);
    }

    private static void Dispatch<TKernel>(StepField field, ref TKernel kernel) where TKernel : IKernel, allows ref struct
    {
        switch (field)
        {
            case StepField.Theta: kernel.Run<ThetaField>(); break;
            case StepField.ThetaAbs: kernel.Run<ThetaAbsField>(); break;
            case StepField.ThetaSquared: kernel.Run<ThetaSquaredField>(); break;
            case StepField.GradSquared: kernel.Run<GradSquaredField>(); break;
            case StepField.VelocitySquared: kernel.Run<VelocitySquaredField>(); break;
            case StepField.GradTheta: kernel.Run<GradThetaField>(); break;
            case StepField.Update: kernel.Run<UpdateField>(); break;
            case StepField.UpdateSquared: kernel.Run<UpdateSquaredField>(); break;
            case StepField.PreviousThetaUpdate: kernel.Run<PreviousThetaUpdateField>(); break;
            case StepField.UpdateVelocity: kernel.Run<UpdateVelocityField>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    private static void RowsAndColumns<TField>(in StepInputs x, int rows, int width, Span<double> rowsInto, Span<double> columnsInto) where TField : struct, IField
    {
        int lanes = Vector<float>.Count, half = Vector<double>.Count;
        ref double columns = ref MemoryMarshal.GetReference(columnsInto);
        for (int r = 0; r < rows; r++)
        {
            int row = r * width, c = 0;
            Vector<double> l0 = Vector<double>.Zero, l1 = l0;
            for (; c <= width - lanes; c += lanes)
            {
                Vector.Widen(TField.Of(x, row + c), out var a, out var b);
                l0 += a;
                l1 += b;
                ref double at = ref Unsafe.Add(ref columns, c);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref at) + a, ref at);
                ref double next = ref Unsafe.Add(ref columns, c + half);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref next) + b, ref next);
            }
            double sum = Vector.Sum(l0 + l1);
            for (; c < width; c++)
            {
                double f = TField.At(x, row + c);
                sum += f;
                Unsafe.Add(ref columns, c) += f;
            }
            rowsInto[r] = sum;
        }
    }

    // Every tensor the field is formed from exists (and covers the geometry).
    private static bool Present(StepField field, in StepInputs x, UnitGeometry geometry) =>
        (!ReadsTheta(field) || Covers(x.Theta, geometry)) && (!ReadsGrad(field) || Covers(x.Grad, geometry))
        && (!ReadsVelocity(field) || Covers(x.Velocity, geometry)) && (!ReadsUpdate(field) || Covers(x.Update, geometry));

    /// <summary>Whether <paramref name="field"/> is formed from θ.</summary>
    public static bool ReadsTheta(StepField field) =>
        field is StepField.Theta or StepField.ThetaAbs or StepField.ThetaSquared or StepField.GradTheta or StepField.PreviousThetaUpdate;

    /// <summary>Whether <paramref name="field"/> is formed from the gradient g.</summary>
    public static bool ReadsGrad(StepField field) => field is StepField.GradSquared or StepField.GradTheta;

    /// <summary>Whether <paramref name="field"/> is formed from the momentum buffer v.</summary>
    public static bool ReadsVelocity(StepField field) => field is StepField.VelocitySquared or StepField.UpdateVelocity;

    /// <summary>Whether <paramref name="field"/> is formed from the recorded update Δθ.</summary>
    public static bool ReadsUpdate(StepField field) =>
        field is StepField.Update or StepField.UpdateSquared or StepField.PreviousThetaUpdate or StepField.UpdateVelocity;

    private static bool Covers(ReadOnlySpan<float> values, UnitGeometry geometry)
    {
        if (values.IsEmpty) return false;
        return values.Length == geometry.Length
            ? true
            : throw new ArgumentException($"a tensor of {values.Length} elements viewed as {geometry.Outer}×{geometry.Units}×{geometry.Inner}");
    }

    private static void Sum<TField>(in StepInputs x, UnitGeometry geometry, Span<double> into) where TField : struct, IField
    {
        int width = Vector<float>.Count;
        var (outer, units, inner) = (geometry.Outer, geometry.Units, geometry.Inner);
        ref double sums = ref MemoryMarshal.GetReference(into);
        if (inner == 1)
        {
            Columns<TField>(x, outer, units, into);
            return;
        }
        if (inner < ShortRun && outer > 1)
        {
            // Short runs (a convolution's 3×3 per input channel): sum the rows of [outer, units·inner]
            // column-wise first, then each unit's run of the row of sums.
            var columns = units * inner <= MaxStackSums ? stackalloc double[units * inner] : new double[units * inner];
            columns.Clear();
            Columns<TField>(x, outer, units * inner, columns);
            FoldRuns(columns, inner, into);
            return;
        }
        // Blocks: each unit's inner run is contiguous, summed in vector lanes, then across them.
        for (int o = 0; o < outer; o++)
            for (int u = 0; u < units; u++)
            {
                int start = (o * units + u) * inner, end = start + inner, i = start;
                // Four accumulators: one would chain every addition on the last (its latency, not memory, would set the pace).
                Vector<double> l0 = Vector<double>.Zero, l1 = l0, l2 = l0, l3 = l0;
                for (; i <= end - 2 * width; i += 2 * width)
                {
                    Vector.Widen(TField.Of(x, i), out var a, out var b);
                    Vector.Widen(TField.Of(x, i + width), out var c, out var d);
                    l0 += a;
                    l1 += b;
                    l2 += c;
                    l3 += d;
                }
                for (; i <= end - width; i += width)
                {
                    Vector.Widen(TField.Of(x, i), out var a, out var b);
                    l0 += a;
                    l1 += b;
                }
                double sum = Vector.Sum((l0 + l1) + (l2 + l3));
                for (; i < end; i++) sum += TField.At(x, i);
                Unsafe.Add(ref sums, u) += sum;
            }
    }

    // Runs shorter than this are summed column-wise (a vector loop needs a few vectors per run to pay).
    private const int ShortRun = 32;

    // Sums the rows of x viewed as [rows, width] into into[width], a vector of columns at a time.
    private static void Columns<TField>(in StepInputs x, int rows, int width, Span<double> into) where TField : struct, IField
    {
        int lanes = Vector<float>.Count, half = Vector<double>.Count;
        ref double sums = ref MemoryMarshal.GetReference(into);
        int o = 0;
        // Four rows at a time: the sums are loaded and stored once per four rows.
        for (; o + 4 <= rows; o += 4)
        {
            int r0 = o * width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width, u = 0;
            for (; u <= width - lanes; u += lanes)
            {
                Vector.Widen(TField.Of(x, r0 + u), out var a0, out var b0);
                Vector.Widen(TField.Of(x, r1 + u), out var a1, out var b1);
                Vector.Widen(TField.Of(x, r2 + u), out var a2, out var b2);
                Vector.Widen(TField.Of(x, r3 + u), out var a3, out var b3);
                ref double at = ref Unsafe.Add(ref sums, u);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref at) + ((a0 + a1) + (a2 + a3)), ref at);
                ref double next = ref Unsafe.Add(ref sums, u + half);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref next) + ((b0 + b1) + (b2 + b3)), ref next);
            }
            for (; u < width; u++)
                Unsafe.Add(ref sums, u) += ((double)TField.At(x, r0 + u) + TField.At(x, r1 + u)) + ((double)TField.At(x, r2 + u) + TField.At(x, r3 + u));
        }
        for (; o < rows; o++)
        {
            int row = o * width, u = 0;
            for (; u <= width - lanes; u += lanes)
            {
                Vector.Widen(TField.Of(x, row + u), out var low, out var high);
                ref double at = ref Unsafe.Add(ref sums, u);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref at) + low, ref at);
                ref double next = ref Unsafe.Add(ref sums, u + half);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref next) + high, ref next);
            }
            for (; u < width; u++) Unsafe.Add(ref sums, u) += TField.At(x, row + u);
        }
    }

    private static Vector<float> Load(ReadOnlySpan<float> values, int i) =>
        Vector.LoadUnsafe(ref MemoryMarshal.GetReference(values), (nuint)i);

    private static float Get(ReadOnlySpan<float> values, int i) => Unsafe.Add(ref MemoryMarshal.GetReference(values), i);

    /// <summary>One elementwise field, formed in float32 at element i (a vector of them, or one).</summary>
    private interface IField
    {
        static abstract Vector<float> Of(in StepInputs x, int i);
        static abstract float At(in StepInputs x, int i);
    }

    private struct ThetaField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) => Load(x.Theta, i);
        public static float At(in StepInputs x, int i) => Get(x.Theta, i);
    }

    private struct ThetaAbsField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) => Vector.Abs(Load(x.Theta, i));
        public static float At(in StepInputs x, int i) => MathF.Abs(Get(x.Theta, i));
    }

    private struct ThetaSquaredField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) { var t = Load(x.Theta, i); return t * t; }
        public static float At(in StepInputs x, int i) { float t = Get(x.Theta, i); return t * t; }
    }

    private struct GradSquaredField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) { var g = Load(x.Grad, i); return g * g; }
        public static float At(in StepInputs x, int i) { float g = Get(x.Grad, i); return g * g; }
    }

    private struct VelocitySquaredField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) { var v = Load(x.Velocity, i); return v * v; }
        public static float At(in StepInputs x, int i) { float v = Get(x.Velocity, i); return v * v; }
    }

    private struct GradThetaField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) => Load(x.Grad, i) * Load(x.Theta, i);
        public static float At(in StepInputs x, int i) => Get(x.Grad, i) * Get(x.Theta, i);
    }

    private struct UpdateField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) => Load(x.Update, i);
        public static float At(in StepInputs x, int i) => Get(x.Update, i);
    }

    private struct UpdateSquaredField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) { var d = Load(x.Update, i); return d * d; }
        public static float At(in StepInputs x, int i) { float d = Get(x.Update, i); return d * d; }
    }

    private struct PreviousThetaUpdateField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) { var d = Load(x.Update, i); return (Load(x.Theta, i) - d) * d; }
        public static float At(in StepInputs x, int i) { float d = Get(x.Update, i); return (Get(x.Theta, i) - d) * d; }
    }

    private struct UpdateVelocityField : IField
    {
        public static Vector<float> Of(in StepInputs x, int i) => Load(x.Update, i) * Load(x.Velocity, i);
        public static float At(in StepInputs x, int i) => Get(x.Update, i) * Get(x.Velocity, i);
    }
}
