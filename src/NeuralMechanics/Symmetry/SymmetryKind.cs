namespace NeuralMechanics.Symmetry;

/// <summary>The three families of continuous symmetry in the paper (Section 3).</summary>
public enum SymmetryKind
{
    /// <summary>ψ(θ, α) = θ + α·1_A (softmax, BatchNorm'd bias). Q = Σ_A θ.</summary>
    Translation,
    /// <summary>ψ(θ, α) = α·θ_A (BatchNorm, LayerNorm). Q = |θ_A|².</summary>
    Scale,
    /// <summary>ψ(θ, α) = (α·θ_A1, α⁻¹·θ_A2) (homogeneous activations). Q = |θ_A1|² − |θ_A2|².</summary>
    Rescale,
}

/// <summary>Lower-case names used in files and on the command line.</summary>
public static class SymmetryKindNames
{
    /// <summary>The kind's lower-case name: translation, scale or rescale.</summary>
    /// <param name="kind">The symmetry family.</param>
    /// <returns>Its name in files and on the command line.</returns>
    public static string Name(this SymmetryKind kind) => kind switch
    {
        SymmetryKind.Translation => "translation",
        SymmetryKind.Scale => "scale",
        _ => "rescale",
    };

    /// <summary>Parses translation, scale or rescale.</summary>
    /// <param name="name">The lower-case name.</param>
    /// <returns>The symmetry family it names.</returns>
    /// <exception cref="InvalidInputException">Another name.</exception>
    public static SymmetryKind Parse(string name) => name switch
    {
        "translation" => SymmetryKind.Translation,
        "scale" => SymmetryKind.Scale,
        "rescale" => SymmetryKind.Rescale,
        _ => throw new InvalidInputException($"symmetry kind: expected translation, scale or rescale, found '{name}'"),
    };
}
