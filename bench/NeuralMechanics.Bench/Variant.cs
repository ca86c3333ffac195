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
}

/// <summary>Properties of <see cref="Variant"/>.</summary>
public static class Variants
{
    /// <summary>Steps between neuron-row logs: every block of a multiple of this many steps holds the same share of logged steps.</summary>
    public const int SparseLogEvery = 50;

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
        _ => "untracked",
    };
}
