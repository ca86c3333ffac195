using System.Text.Json.Serialization;

namespace NeuralMechanics.Training;

/// <summary>The update rules nmech trains with, each with PyTorch's semantics.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary><c>torch.optim.SGD</c>: momentum, dampening, Nesterov, L2 weight decay.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,

    /// <summary><c>torch.optim.Adam</c>: weight decay added to the gradient (L2), so it is preconditioned too.</summary>
    [JsonStringEnumMemberName("adam")] Adam,

    /// <summary><c>torch.optim.AdamW</c>: decoupled weight decay θ ← (1 − ηλ)θ before the Adam update.</summary>
    [JsonStringEnumMemberName("adamw")] AdamW,
}

/// <summary>Command-line names of <see cref="OptimizerKind"/>.</summary>
public static class OptimizerKindNames
{
    /// <summary>The names, in the order the help lists them.</summary>
    public static readonly IReadOnlyList<string> All = ["sgd", "adam", "adamw"];

    /// <summary>sgd, adam or adamw.</summary>
    public static string Name(this OptimizerKind kind) => All[(int)kind];

    /// <summary>Parses a name (case-insensitive).</summary>
    /// <exception cref="InvalidInputException">Not one of <see cref="All"/>.</exception>
    public static OptimizerKind Parse(string text)
    {
        int i = All.ToList().IndexOf(text.Trim().ToLowerInvariant());
        return i >= 0 ? (OptimizerKind)i
            : throw new InvalidInputException($"--optimizer: expected one of {string.Join(", ", All)}, found '{text}'");
    }
}
