using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>The symmetry groups of a network, with notes on what stopped or weakened any of them.</summary>
/// <param name="Architecture">The network analysed.</param>
/// <param name="Sets">Group sets, one per (layer, kind).</param>
/// <param name="Notes">Unknown modules, broken paths and other things the user should know.</param>
public sealed record SymmetryAnalysis(Architecture Architecture, IReadOnlyList<SymmetryGroupSet> Sets, IReadOnlyList<string> Notes)
{
    /// <summary>Number of groups of one kind.</summary>
    public long Count(SymmetryKind kind) => Sets.Where(s => s.Kind == kind).Sum(s => s.Count);

    /// <summary>Total number of groups.</summary>
    public long Total => Sets.Sum(s => s.Count);
}
