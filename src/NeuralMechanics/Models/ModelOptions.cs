namespace NeuralMechanics.Models;

/// <summary>
/// Options of the model zoo. Not every model reads every option: VGG reads
/// <see cref="Width"/> and <see cref="Dropout"/>, ResNet reads <see cref="Width"/>, the MLP reads
/// depth, hidden width, activation and normalisation; every model reads <see cref="Init"/>.
/// </summary>
/// <param name="Width">VGG and ResNet channel multiplier (1 = the paper's widths; 1/8 for CPU-sized runs).</param>
/// <param name="Depth">MLP hidden layers.</param>
/// <param name="Hidden">MLP units per hidden layer.</param>
/// <param name="Activation">MLP activation: relu, leaky_relu, linear, tanh.</param>
/// <param name="Norm">MLP normalisation after each hidden linear layer: none, batchnorm, layernorm.</param>
/// <param name="Dropout">VGG classifier dropout probability.</param>
/// <param name="Init">Weight initialisation (<see cref="Initialisation"/>): kaiming (default) or reference.</param>
// A misspelt field in a hand-written specification is an error, not a silent default.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelOptions(
    double Width = 1,
    int Depth = 2,
    int Hidden = 256,
    string Activation = "relu",
    string Norm = "none",
    double Dropout = 0.5,
    string Init = Initialisation.Kaiming)
{
    /// <summary>The options as strings, for the run manifest.</summary>
    public Dictionary<string, string> ToDictionary() => new()
    {
        ["width"] = Width.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["depth"] = Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["hidden"] = Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["activation"] = Activation,
        ["norm"] = Norm,
        ["dropout"] = Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["init"] = Init,
    };
}
