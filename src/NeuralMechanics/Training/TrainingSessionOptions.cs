using NeuralMechanics.Tracking;

namespace NeuralMechanics.Training;

/// <summary>
/// How a <see cref="TrainingSession"/> is built beyond its <see cref="RunSpec"/>: the quantities it
/// measures. Each is a factory that builds one quantity for the run (or null when it does not apply);
/// the built-in ones come first, in <see cref="BuiltIn"/>'s order, and a quantity of your own is one more
/// <c>Quantities.Add(setup => new MyQuantity(setup))</c>.
/// </summary>
public sealed class TrainingSessionOptions
{
    /// <summary>
    /// The built-in quantities: the training metrics (first: a non-finite loss stops the step before
    /// anything else measures it), the symmetry tracker with its samples and equilibrium tables, the
    /// attention heads' matrix charges, the test accuracy every <see cref="RunSpec.EvalEvery"/> steps, the
    /// sharpness every <see cref="RunSpec.SharpnessEvery"/> and the gradient noise scale every
    /// <see cref="RunSpec.NoiseEvery"/> steps (both off by default).
    /// </summary>
    public static IReadOnlyList<Func<QuantitySetup, ITrackedQuantity?>> BuiltIn { get; } =
        [TrainingMetrics.Create, SymmetryTracker.Create, MatrixCharges.Create, EvalAccuracy.Create, Sharpness.Create, GradientNoise.Create];

    /// <summary>The factories, in the order the quantities compute at each step (the built-in ones by default).</summary>
    public List<Func<QuantitySetup, ITrackedQuantity?>> Quantities { get; } = [.. BuiltIn];
}
