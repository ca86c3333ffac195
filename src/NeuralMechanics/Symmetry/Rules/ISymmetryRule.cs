namespace NeuralMechanics.Symmetry;

/// <summary>
/// One way a symmetry arises in a network (docs/design.md, "The rules"). A rule walks the
/// architecture graph through the <see cref="DiscoveryContext"/>, adds the group sets it finds
/// and notes what stops it.
/// </summary>
public interface ISymmetryRule
{
    /// <summary>Adds this rule's sets (and notes) for the graph of <paramref name="context"/>.</summary>
    void Apply(DiscoveryContext context);
}
