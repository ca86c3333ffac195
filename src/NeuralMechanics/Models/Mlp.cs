using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// Multilayer perceptron: flatten, then <c>depth</c> × (Linear, optional BatchNorm1d/LayerNorm,
/// activation), then a Linear to the classes. Layers are named flatten, fc1, norm1, act1, …, out.
/// Kaiming normal weights and zero biases, or PyTorch's default Linear initialisation with
/// <see cref="Initialisation.Reference"/>. Depth 0 is multinomial logistic regression.
/// </summary>
public static class Mlp
{
    /// <summary>Builds the MLP.</summary>
    public static Sequential Create(long[] inputShape, int classes, ModelOptions options)
    {
        if (options.Depth < 0) throw new InvalidInputException($"--depth: expected ≥ 0, found {options.Depth}");
        if (options.Hidden < 1) throw new InvalidInputException($"--hidden: expected ≥ 1, found {options.Hidden}");
        bool kaiming = Initialisation.Parse(options.Init) == Initialisation.Kaiming;
        Linear Init(Linear l) => kaiming ? Initialisation.KaimingLinear(l) : l;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        long features = inputShape.Aggregate(1L, (a, b) => a * b);
        for (int i = 1; i <= options.Depth; i++)
        {
            layers.Add(($"fc{i}", Init(nn.Linear(features, options.Hidden))));
            switch (options.Norm.ToLowerInvariant())
            {
                case "none": break;
                case "batchnorm": layers.Add(($"norm{i}", nn.BatchNorm1d(options.Hidden))); break;
                case "layernorm": layers.Add(($"norm{i}", nn.LayerNorm(options.Hidden))); break;
                default: throw new InvalidInputException($"--norm: expected none, batchnorm or layernorm, found '{options.Norm}'");
            }
            layers.Add(($"act{i}", Activation(options.Activation)));
            features = options.Hidden;
        }
        layers.Add(("out", Init(nn.Linear(features, classes))));
        return nn.Sequential(layers);
    }

    private static nn.Module<Tensor, Tensor> Activation(string name) => name.ToLowerInvariant() switch
    {
        "relu" => nn.ReLU(),
        "leaky_relu" => new HeldLeakyReLU(0.01),
        "linear" => nn.Identity(),
        "tanh" => nn.Tanh(),
        _ => throw new InvalidInputException($"--activation: expected relu, leaky_relu, linear or tanh, found '{name}'"),
    };
}
