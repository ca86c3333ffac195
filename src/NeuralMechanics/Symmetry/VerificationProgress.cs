namespace NeuralMechanics.Symmetry;

/// <summary>Where <see cref="SymmetryVerifier.Verify"/> stands: told before each check of each symmetry set.</summary>
/// <param name="Phase">"gradients" (the batch's gradients and the Hessian's scale, once), "derivatives" (gradient, noise and Hessian checks of a set) or "invariance".</param>
/// <param name="Done">Checks done: 0 to 2 × sets (each set is checked twice: derivatives, then invariance).</param>
/// <param name="Total">2 × the number of sets.</param>
/// <param name="Set">The set checked next, e.g. "rescale features.0" (empty for "gradients").</param>
public sealed record VerificationProgress(string Phase, int Done, int Total, string Set);
