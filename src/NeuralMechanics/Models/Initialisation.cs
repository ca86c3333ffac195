using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// How the zoo initialises weights. <see cref="Kaiming"/> is the paper's ("All models were
/// initialized using Kaiming Normal", Appendix): every convolution and linear weight
/// N(0, 2/fan) with zero biases. <see cref="Reference"/> is what the public reference code does
/// and this zoo did before: VGG classifiers N(0, 0.01) (torchvision's VGG), MLPs PyTorch's
/// default Linear initialisation. At width 1/8 the reference classifier (64 → 32 → 32 → 10 units
/// with dropout) starves the convolutions of gradient: plain SGD stays on the initial plateau.
/// </summary>
public static class Initialisation
{
    /// <summary>Kaiming normal everywhere (convolutions fan-out, linear layers fan-in; ReLU gain), zero biases.</summary>
    public const string Kaiming = "kaiming";

    /// <summary>The reference implementation's: VGG linear layers N(0, 0.01), MLP PyTorch's default.</summary>
    public const string Reference = "reference";

    /// <summary>Every name.</summary>
    public static readonly IReadOnlyList<string> Names = [Kaiming, Reference];

    /// <summary>The name, checked (case-insensitive).</summary>
    /// <exception cref="InvalidInputException">Not a known initialisation.</exception>
    public static string Parse(string name) =>
        Names.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidInputException($"--init: expected {string.Join(" or ", Names)}, found '{name}'");

    /// <summary>Kaiming normal (fan-in, ReLU gain) weight and zero bias: N(0, 2/fan_in).</summary>
    public static Linear KaimingLinear(Linear linear)
    {
        using (no_grad())
        {
            nn.init.kaiming_normal_(linear.weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            if (linear.bias is { } b) nn.init.zeros_(b);
        }
        return linear;
    }

    /// <summary>The reference VGG classifier's N(0, 0.01) weight and zero bias.</summary>
    public static Linear ReferenceLinear(Linear linear)
    {
        using (no_grad())
        {
            nn.init.normal_(linear.weight, 0, 0.01);
            if (linear.bias is { } b) nn.init.zeros_(b);
        }
        return linear;
    }
}
