using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralMechanics.Training;

/// <summary>
/// The name of an update rule (<c>sgd</c>, <c>adam</c>, <c>adamw</c>, <c>lion</c>, or one a user
/// registers with <see cref="OptimizerRegistry"/>). It is only a name: what the rule does, how its
/// settings are checked and what theory it brings are its <see cref="IOptimizerDefinition"/>'s.
/// Written in JSON as the name (<c>"kind": "sgd"</c>); the default value is SGD, so a manifest
/// written before other rules existed reads as SGD.
/// </summary>
[JsonConverter(typeof(OptimizerKindJsonConverter))]
public readonly struct OptimizerKind : IEquatable<OptimizerKind>
{
    private readonly string? name;

    /// <summary>The rule called <paramref name="name"/> (lower case, as on the command line).</summary>
    /// <exception cref="ArgumentException">Empty, or not lower case.</exception>
    public OptimizerKind(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name != name.Trim().ToLowerInvariant())
            throw new ArgumentException($"expected a lower-case optimizer name, found '{name}'", nameof(name));
        this.name = name == "sgd" ? null : name;
    }

    /// <summary><c>torch.optim.SGD</c>: momentum, dampening, Nesterov, L2 weight decay.</summary>
    public static OptimizerKind Sgd => default;

    /// <summary><c>torch.optim.Adam</c>: weight decay added to the gradient (L2), so it is preconditioned too.</summary>
    public static OptimizerKind Adam { get; } = new("adam");

    /// <summary><c>torch.optim.AdamW</c>: decoupled weight decay θ ← (1 − ηλ)θ before the Adam update.</summary>
    public static OptimizerKind AdamW { get; } = new("adamw");

    /// <summary>The name, as on the command line and in manifests.</summary>
    public override string ToString() => name ?? "sgd";

    /// <inheritdoc/>
    public bool Equals(OptimizerKind other) => ToString() == other.ToString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is OptimizerKind other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    /// <summary>Whether two kinds name the same rule.</summary>
    public static bool operator ==(OptimizerKind a, OptimizerKind b) => a.Equals(b);

    /// <summary>Whether two kinds name different rules.</summary>
    public static bool operator !=(OptimizerKind a, OptimizerKind b) => !a.Equals(b);
}

/// <summary>Command-line names of <see cref="OptimizerKind"/>: those of <see cref="OptimizerRegistry"/>.</summary>
public static class OptimizerKindNames
{
    /// <summary>The registered names, in the order the help lists them.</summary>
    public static IReadOnlyList<string> All => OptimizerRegistry.All.Select(d => d.Kind.ToString()).ToList();

    /// <summary>sgd, adam, adamw, lion, ...</summary>
    public static string Name(this OptimizerKind kind) => kind.ToString();

    /// <summary>Parses a registered name (case-insensitive).</summary>
    /// <exception cref="InvalidInputException">Not one of <see cref="All"/>.</exception>
    public static OptimizerKind Parse(string text) => OptimizerRegistry.Get(text.Trim().ToLowerInvariant()).Kind;
}

/// <summary>Reads and writes <see cref="OptimizerKind"/> as its name; an unknown name is caught by validation, which lists the registered ones.</summary>
internal sealed class OptimizerKindJsonConverter : JsonConverter<OptimizerKind>
{
    public override OptimizerKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (string.IsNullOrWhiteSpace(text)) throw new JsonException($"expected an optimizer name ({string.Join(", ", OptimizerKindNames.All)})");
        return new OptimizerKind(text.Trim().ToLowerInvariant());
    }

    public override void Write(Utf8JsonWriter writer, OptimizerKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
