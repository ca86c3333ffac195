namespace NeuralMechanics.Bench;

/// <summary>How a timed training step runs.</summary>
public enum Variant
{
    /// <summary>Forward, backward, optimizer step.</summary>
    Untracked,

    /// <summary>Plus <c>SymmetryTracker.Observe</c>: layer rows every step, neuron rows every 50 steps.</summary>
    TrackedEvery50,

    /// <summary>Plus <c>SymmetryTracker.Observe</c> with layer and neuron rows every step.</summary>
    TrackedEveryStep,

    /// <summary>Untracked, plus the sharpness λ_max every 16 steps (<c>--sharpness-every 16</c>: Lanczos on Hessian-vector products).</summary>
    SharpnessEvery16,
}

/// <summary>Properties of <see cref="Variant"/>.</summary>
public static class Variants
{
    /// <summary>Steps between neuron-row logs: every block of a multiple of this many steps holds the same share of logged steps.</summary>
    public const int SparseLogEvery = 50;

    /// <summary>Steps between sharpness measurements of <see cref="Variant.SharpnessEvery16"/> (Cockpit's published comparison point).</summary>
    public const int SharpnessEvery = 16;

    /// <summary>Whether the variant runs the symmetry tracker.</summary>
    public static bool Tracked(this Variant v) => v is Variant.TrackedEvery50 or Variant.TrackedEveryStep;

    /// <summary>Steps between sharpness measurements, or 0 when not measured.</summary>
    public static int SharpnessSteps(this Variant v) => v == Variant.SharpnessEvery16 ? SharpnessEvery : 0;

    /// <summary>Steps between logged steps, or 0 when untracked.</summary>
    public static int LogEvery(this Variant v) => v switch
    {
        Variant.TrackedEvery50 => SparseLogEvery,
        Variant.TrackedEveryStep => 1,
        _ => 0,
    };

    /// <summary>Column heading.</summary>
    public static string Heading(this Variant v) => v switch
    {
        Variant.TrackedEvery50 => "tracked, neurons /50",
        Variant.TrackedEveryStep => "tracked, neurons every step",
        Variant.SharpnessEvery16 => "untracked + λ_max /16",
        _ => "untracked",
    };
}
