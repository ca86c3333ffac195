using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>A model built by the zoo: the network, its architecture description and notes on how it was adapted.</summary>
/// <param name="Name">Zoo name, e.g. "vgg16-bn".</param>
/// <param name="Network">The network: input [B, C, H, W], output [B, classes].</param>
/// <param name="Architecture">What the symmetry analysis reads.</param>
/// <param name="Notes">Adaptations worth telling the user (e.g. pools skipped for small inputs).</param>
public sealed record ZooModel(string Name, nn.Module<Tensor, Tensor> Network, Architecture Architecture, IReadOnlyList<string> Notes);
