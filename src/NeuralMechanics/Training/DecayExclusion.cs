using System.Text.Json.Serialization;

namespace NeuralMechanics.Training;

/// <summary>
/// Parameters left out of weight decay (<c>--no-decay norm,bias</c>), as most modern recipes do:
/// decaying a normalisation's γ, β or a bias does not control any weight norm and only biases them to 0.
/// </summary>
[Flags]
[JsonConverter(typeof(JsonStringEnumConverter<DecayExclusion>))]
public enum DecayExclusion
{
    /// <summary>Every parameter decays.</summary>
    [JsonStringEnumMemberName("none")] None = 0,

    /// <summary>The parameters of BatchNorm and LayerNorm modules (γ and β).</summary>
    [JsonStringEnumMemberName("norm")] Norm = 1,

    /// <summary>Every parameter named <c>bias</c>.</summary>
    [JsonStringEnumMemberName("bias")] Bias = 2,
}

/// <summary>The <c>--no-decay</c> list: "norm", "bias", "norm,bias" or "none".</summary>
public static class DecayExclusions
{
    /// <summary>Parses a comma-separated list of norm and bias ("none" or empty: nothing excluded).</summary>
    /// <exception cref="InvalidInputException">Another word in the list.</exception>
    public static DecayExclusion Parse(string text)
    {
        var result = DecayExclusion.None;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            result |= item.ToLowerInvariant() switch
            {
                "norm" => DecayExclusion.Norm,
                "bias" => DecayExclusion.Bias,
                "none" => DecayExclusion.None,
                _ => throw new InvalidInputException($"--no-decay: expected a comma-separated list of norm and bias, found '{item}'"),
            };
        return result;
    }

    /// <summary>The list as <see cref="Parse"/> reads it: "none", "norm", "bias" or "norm,bias".</summary>
    public static string Format(DecayExclusion e) => e == DecayExclusion.None ? "none"
        : string.Join(",", new[] { (DecayExclusion.Norm, "norm"), (DecayExclusion.Bias, "bias") }.Where(p => e.HasFlag(p.Item1)).Select(p => p.Item2));
}
