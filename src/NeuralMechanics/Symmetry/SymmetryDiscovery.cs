using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Finds the neuron-level translation, scale and rescale symmetries of any network from its
/// architecture graph (docs/design.md, "The rules"), one <see cref="ISymmetryRule"/> per way a
/// symmetry arises: <see cref="SoftmaxTranslation"/>, <see cref="BiasNormTranslation"/>,
/// <see cref="LayerNormTranslation"/>, <see cref="KeyBiasTranslation"/>, <see cref="NormScale"/>,
/// <see cref="HomogeneousRescale"/>, <see cref="QueryKeyRescale"/> and <see cref="ResidualStreamRescale"/>
/// (<see cref="SymmetryRules.Default"/>; a caller may add its own). A module it cannot see into is named in
/// <see cref="SymmetryAnalysis.Notes"/> with the symmetries it stops; so is a parameter used by two
/// nodes (no group is counted on it) and one a block's description leaves out.
/// </summary>
public static class SymmetryDiscovery
{
    /// <summary>Discovers every group set of <paramref name="architecture"/> with the library's rules (<see cref="SymmetryRules.Default"/>).</summary>
    public static SymmetryAnalysis Discover(Architecture architecture) => Discover(architecture, SymmetryRules.Default);

    /// <summary>Discovers the group sets of <paramref name="architecture"/> that <paramref name="rules"/> find, applied in order.</summary>
    public static SymmetryAnalysis Discover(Architecture architecture, IEnumerable<ISymmetryRule> rules)
    {
        var context = new DiscoveryContext(architecture);
        foreach (var rule in rules) rule.Apply(context);
        var notes = new List<string>();
        foreach (var unknown in architecture.Layers.Where(l => l.Operation.Opaque))
        {
            long inside = unknown.Parameters.Values.Sum(p => p.numel());
            string stopped = context.Stops.TryGetValue(unknown.Index, out var what) ? "; it stops the " + string.Join(", the ", what) : "";
            notes.Add($"{unknown.Name}: unknown module {unknown.TypeName}; no symmetry is counted across it{stopped}" +
                (inside > 0 ? $"; its {inside:N0} parameters are in no group (implement {nameof(IGraphBlock)} to describe its inside)" : ""));
        }
        notes.AddRange(context.Notes);
        if (architecture.UndescribedParameters.Count > 0)
            notes.Add($"parameters not in the graph description, in no group: {string.Join(", ", architecture.UndescribedParameters)}");
        var sets = new List<SymmetryGroupSet>();
        foreach (var set in context.Sets)
        {
            if (set.Parameters.Any(architecture.SharedParameters.Contains))
                notes.Add($"{set.Layer}: {set.Kind.Name()} not counted: it touches a parameter that several nodes use ({string.Join(", ", set.A.Concat(set.B).Where(s => architecture.SharedParameters.Contains(s.Tensor)).Select(s => s.FullName).Distinct())})");
            else sets.Add(set);
        }
        return new SymmetryAnalysis(architecture, sets, notes);
    }
}
