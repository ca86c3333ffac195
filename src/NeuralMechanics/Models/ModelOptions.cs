namespace NeuralMechanics.Models;

/// <summary>
/// Options of the model zoo. Not every model reads every option: VGG reads
/// <see cref="Width"/> and <see cref="Dropout"/>, ResNet reads <see cref="Width"/>, the MLP reads
/// depth, hidden width, activation and normalisation, the ViT depth, activation, patch, dim, heads
/// and MLP ratio; every model reads <see cref="Init"/>. The defaults are the MLP's; a model with
/// other defaults (the ViT's depth 4 and GELU) gives them in <see cref="ModelZoo.DefaultOptions"/>.
/// </summary>
/// <param name="Width">VGG and ResNet channel multiplier (1 = the paper's widths; 1/8 for CPU-sized runs).</param>
/// <param name="Depth">MLP hidden layers; ViT blocks.</param>
/// <param name="Hidden">MLP units per hidden layer.</param>
/// <param name="Activation">MLP activation: relu, leaky_relu, linear, tanh; the ViT MLP's: gelu, relu.</param>
/// <param name="Norm">MLP normalisation after each hidden linear layer: none, batchnorm, layernorm.</param>
/// <param name="Dropout">VGG classifier dropout probability.</param>
/// <param name="Init">Weight initialisation (<see cref="Initialisation"/>): kaiming (default) or reference.</param>
/// <param name="Patch">ViT patch size p (Conv2d(C, d, p, stride p)).</param>
/// <param name="Dim">ViT features per token d.</param>
/// <param name="Heads">ViT attention heads h (d/h features each).</param>
/// <param name="MlpRatio">ViT MLP hidden units per feature r (r·d units).</param>
// A misspelt field in a hand-written specification is an error, not a silent default.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelOptions(
    double Width = 1,
    int Depth = 2,
    int Hidden = 256,
    string Activation = "relu",
    string Norm = "none",
    double Dropout = 0.5,
    string Init = Initialisation.Kaiming,
    int Patch = 7,
    int Dim = 64,
    int Heads = 4,
    double MlpRatio = 2)
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
        ["patch"] = Patch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["dim"] = Dim.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["heads"] = Heads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["mlp-ratio"] = MlpRatio.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}
