namespace NeuralMechanics.Symmetry;

/// <summary>
/// The rules symmetry discovery applies unless told otherwise (docs/design.md, "The rules"). A
/// caller that knows another way a symmetry arises passes
/// <c>[.. SymmetryRules.Default, new MyRule()]</c> to <see cref="SymmetryDiscovery.Discover(Models.Architecture, IEnumerable{ISymmetryRule})"/>.
/// </summary>
public static class SymmetryRules
{
    /// <summary>The eight rules of the library, in the order their sets are listed within a layer.</summary>
    public static readonly IReadOnlyList<ISymmetryRule> Default =
        [new BiasNormTranslation(), new LayerNormTranslation(), new KeyBiasTranslation(), new NormScale(), new HomogeneousRescale(), new QueryKeyRescale(),
         new ResidualStreamRescale(), new SoftmaxTranslation()];
}
