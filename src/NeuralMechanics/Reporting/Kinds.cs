using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Reporting;

/// <summary>The kind names as stored in the <c>kind</c> column.</summary>
internal static class Kinds
{
    public static readonly string Translation = SymmetryKind.Translation.Name();
    public static readonly string Scale = SymmetryKind.Scale.Name();
    public static readonly string Rescale = SymmetryKind.Rescale.Name();

    /// <summary>All kinds, in the paper's order.</summary>
    public static readonly string[] All = [Translation, Scale, Rescale];
}
