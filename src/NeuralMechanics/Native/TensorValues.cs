using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics;

/// <summary>
/// The one way nmech reads a single value out of a tensor. TorchSharp 0.107's
/// <c>Tensor.ToDouble()</c> is <c>ToScalar().ToDouble()</c>: the temporary <see cref="Scalar"/> is
/// unreachable once its handle has been fetched, so a garbage collection on another thread can
/// finalize it while libtorch still reads it, and the process aborts
/// (<c>c10::Error ... Scalar::toDouble</c>). Here the Scalar is disposed only after the read, and
/// the tensor is kept alive through it. Every read is counted in <see cref="HostReads"/> (on CUDA
/// each one waits for the device's queue).
/// </summary>
/// <remarks>
/// Constants passed to native calls follow the same rule: hold them in a <c>using</c> local
/// (<c>using Scalar two = 2;</c>) or a static field, never as an implicit conversion in an argument
/// (<c>x * 2.0</c>, <c>pow(2)</c>, <c>alpha: lr</c>). A test compiles the solution with Roslyn and
/// fails on any other read or implicit Scalar (<c>NativeLifetimeGuardTests</c>).
/// </remarks>
public static class TensorValues
{
    /// <summary>The value of a one-element tensor as a double (any dtype, any device).</summary>
    public static double ReadDouble(this Tensor tensor) => Read(tensor, static s => s.ToDouble());

    /// <summary>The value of a one-element tensor as a float.</summary>
    public static float ReadSingle(this Tensor tensor) => Read(tensor, static s => s.ToSingle());

    /// <summary>The value of a one-element tensor as a long (integer and boolean dtypes).</summary>
    public static long ReadInt64(this Tensor tensor) => Read(tensor, static s => s.ToInt64());

    /// <summary>The value of a one-element tensor as a bool (nonzero is true).</summary>
    public static bool ReadBoolean(this Tensor tensor) => Read(tensor, static s => s.ToBoolean());

    // The Scalar is disposed after the conversion has read it, and the tensor outlives the item call.
    private static T Read<T>(Tensor tensor, Func<Scalar, T> convert)
    {
        HostReads.Count();
        using var scalar = tensor.ToScalar();
        T value = convert(scalar);
        GC.KeepAlive(tensor);
        return value;
    }
}
