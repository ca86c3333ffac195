using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralMechanics.Training;

/// <summary>
/// SGD's update of one parameter on the CPU, in one pass over its memory (θ, g and v read once, θ
/// and v written once) instead of libtorch's three or four elementwise operations, each its own
/// pass and its own dispatch. Every element gets the same IEEE single operations libtorch's
/// vectorised kernels apply, so the result is bit for bit theirs: <c>g.add(θ, alpha: λ)</c> is
/// fma(λ, θ, g), <c>v.mul_(β).add_(d, alpha: 1−α)</c> is fma(1−α, d, v·β) and
/// <c>θ.add_(v, alpha: −η)</c> is fma(−η, v, θ) (measured with libtorch 2.10: multiplying, then
/// adding, differs in thousands of elements of 200,003). The pass is only taken where the
/// hardware fuses the multiply-add, as libtorch's AVX2 and AVX-512 kernels do.
/// </summary>
internal static class HostSgd
{
    /// <summary>Whether this CPU has the fused multiply-add the pass needs (x86 FMA3).</summary>
    public static bool Supported { get; } = System.Runtime.Intrinsics.X86.Fma.IsSupported && Vector.IsHardwareAccelerated;

    /// <summary>The coefficients of one parameter's update, in float32 as libtorch converts its Scalars.</summary>
    /// <param name="Decay">λ.</param>
    /// <param name="Decays">Whether λ ≠ 0 (as a double: the rule forms d = g + λθ even when λ rounds to 0 in float32, as libtorch does); false: d is g itself.</param>
    /// <param name="Momentum">β (0: no buffer, θ ← θ − ηd).</param>
    /// <param name="Keep">1 − α, the share of d added to the buffer.</param>
    /// <param name="Step">−η.</param>
    /// <param name="Nesterov">θ moves by d + βv instead of v.</param>
    public readonly record struct Rule(float Decay, bool Decays, float Momentum, float Keep, float Step, bool Nesterov);

    /// <summary>
    /// Updates θ (and the buffer v when β ≠ 0) in place: d = g + λθ; v ← d when <paramref name="first"/>, else βv + (1−α)d; θ ← θ − η·(v,
    /// or d + βv with Nesterov, or d without momentum). <paramref name="update"/>, when not empty,
    /// receives θₙ₊₁ − θₙ (as libtorch's copy and subtraction form it).
    /// </summary>
    public static void Update(Rule rule, Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, bool first, Span<float> update)
    {
        if (grad.Length != theta.Length || (rule.Momentum != 0 && velocity.Length != theta.Length) || (!update.IsEmpty && update.Length != theta.Length))
            throw new ArgumentException($"SGD update of a parameter of {theta.Length} elements: a gradient, buffer or update of another length");
        if (rule.Momentum == 0) Run<Plain>(rule, theta, grad, velocity, update);
        else if (first && rule.Nesterov) Run<FirstNesterov>(rule, theta, grad, velocity, update);
        else if (first) Run<First>(rule, theta, grad, velocity, update);
        else if (rule.Nesterov) Run<Nesterov>(rule, theta, grad, velocity, update);
        else Run<HeavyBall>(rule, theta, grad, velocity, update);
    }

    private static void Run<TMove>(Rule rule, Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, Span<float> update)
        where TMove : struct, IMove
    {
        int end = theta.Length;
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        ref float u = ref MemoryMarshal.GetReference(update);
        bool record = !update.IsEmpty, decay = rule.Decays;
        var (lambda, beta, keep, step) = (new Vector<float>(rule.Decay), new Vector<float>(rule.Momentum), new Vector<float>(rule.Keep), new Vector<float>(rule.Step));
        int i = 0;
        for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
        {
            var before = Vector.LoadUnsafe(ref t, (nuint)i);
            var d = Vector.LoadUnsafe(ref g, (nuint)i);
            if (decay) d = Vector.FusedMultiplyAdd(lambda, before, d);
            var move = TMove.Of(d, ref Unsafe.Add(ref v, i), beta, keep);
            var after = Vector.FusedMultiplyAdd(step, move, before);
            after.StoreUnsafe(ref t, (nuint)i);
            if (record) (after - before).StoreUnsafe(ref u, (nuint)i);
        }
        for (; i < end; i++)
        {
            float before = Unsafe.Add(ref t, i), d = Unsafe.Add(ref g, i);
            if (decay) d = MathF.FusedMultiplyAdd(rule.Decay, before, d);
            float after = MathF.FusedMultiplyAdd(rule.Step, TMove.At(d, ref Unsafe.Add(ref v, i), rule.Momentum, rule.Keep), before);
            Unsafe.Add(ref t, i) = after;
            if (record) Unsafe.Add(ref u, i) = after - before;
        }
    }

    // What θ moves along, given d; updates the buffer at v where there is one.
    private interface IMove
    {
        static abstract Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep);
        static abstract float At(float d, ref float v, float beta, float keep);
    }

    private struct Plain : IMove
    {
        public static Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep) => d;
        public static float At(float d, ref float v, float beta, float keep) => d;
    }

    // The buffer's first value is d itself (PyTorch: no dampening on the first step).
    private struct First : IMove
    {
        public static Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep)
        {
            d.StoreUnsafe(ref v);
            return d;
        }

        public static float At(float d, ref float v, float beta, float keep) => v = d;
    }

    private struct FirstNesterov : IMove
    {
        public static Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep) =>
            Vector.FusedMultiplyAdd(beta, First.Of(d, ref v, beta, keep), d);

        public static float At(float d, ref float v, float beta, float keep) => MathF.FusedMultiplyAdd(beta, First.At(d, ref v, beta, keep), d);
    }

    private struct HeavyBall : IMove
    {
        public static Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep)
        {
            var next = Vector.FusedMultiplyAdd(keep, d, Vector.LoadUnsafe(ref v) * beta);
            next.StoreUnsafe(ref v);
            return next;
        }

        public static float At(float d, ref float v, float beta, float keep) => v = MathF.FusedMultiplyAdd(keep, d, v * beta);
    }

    // d + βv with the new v: libtorch's d.add(v, alpha: β).
    private struct Nesterov : IMove
    {
        public static Vector<float> Of(Vector<float> d, ref float v, Vector<float> beta, Vector<float> keep) =>
            Vector.FusedMultiplyAdd(beta, HeavyBall.Of(d, ref v, beta, keep), d);

        public static float At(float d, ref float v, float beta, float keep) => MathF.FusedMultiplyAdd(beta, HeavyBall.At(d, ref v, beta, keep), d);
    }
}
