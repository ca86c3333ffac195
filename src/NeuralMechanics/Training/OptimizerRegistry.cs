
namespace NeuralMechanics.Training;

/// <summary>
/// The update rules nmech knows, by name: SGD, Adam, AdamW and Lion, and any a caller adds with
/// <see cref="Register"/>. Settings, the CLI, the tracker's theory and the report ask it; none of them
/// switches on a rule.
/// </summary>
public static class OptimizerRegistry
{
    private static readonly object Gate = new();
    private static IOptimizerDefinition[] definitions = [new SgdDefinition(), AdamDefinition.Adam, AdamDefinition.AdamW, new LionDefinition()];

    /// <summary>The registered rules, in the order the help lists them.</summary>
    public static IReadOnlyList<IOptimizerDefinition> All => definitions;

    /// <summary>Adds a rule (its name must be new).</summary>
    /// <exception cref="ArgumentException">A rule of that name is registered already.</exception>
    public static void Register(IOptimizerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (Gate)
        {
            if (definitions.Any(d => d.Kind == definition.Kind))
                throw new ArgumentException($"an optimizer named '{definition.Kind}' is registered already", nameof(definition));
            definitions = [.. definitions, definition];
        }
    }

    /// <summary>The rule of <paramref name="kind"/>.</summary>
    /// <exception cref="InvalidInputException">No rule of that name (the message lists the known ones).</exception>
    public static IOptimizerDefinition Get(OptimizerKind kind) => Find(kind)
        ?? throw new InvalidInputException($"--optimizer: expected one of {string.Join(", ", OptimizerKindNames.All)}, found '{kind}'");

    /// <summary>The rule called <paramref name="name"/> (lower case).</summary>
    /// <exception cref="InvalidInputException">No rule of that name.</exception>
    public static IOptimizerDefinition Get(string name) => definitions.FirstOrDefault(d => d.Kind.ToString() == name)
        ?? throw new InvalidInputException($"--optimizer: expected one of {string.Join(", ", OptimizerKindNames.All)}, found '{name}'");

    /// <summary>The rule of <paramref name="kind"/>, or null.</summary>
    public static IOptimizerDefinition? Find(OptimizerKind kind) => definitions.FirstOrDefault(d => d.Kind == kind);
}
