using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// The description of a sequential network that the symmetry analysis reads: ordered layers
/// with kinds, per-example shapes and parameter tensors, plus the loss that follows them.
/// </summary>
public sealed class Architecture
{
    private Architecture(IReadOnlyList<LayerInfo> layers, LossKind loss, long[] inputShape)
    {
        Layers = layers;
        Loss = loss;
        InputShape = inputShape;
        ParameterCount = layers.Sum(l => l.Parameters.Values.Sum(p => p.numel()));
    }

    /// <summary>Layers in forward order.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>The loss applied to the last layer's output.</summary>
    public LossKind Loss { get; }

    /// <summary>Per-example input shape.</summary>
    public long[] InputShape { get; }

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount { get; }

    /// <summary>Output units of the last layer (classes).</summary>
    public long Outputs => Layers[^1].OutputShape[^1];

    /// <summary>
    /// Reads a <see cref="Sequential"/>: each child's kind from its type, its shapes from one
    /// forward pass of zeros (batch of 2, eval mode, no grad; the mode is restored afterwards).
    /// Throws <see cref="InvalidInputException"/> when the input shape does not fit the network.
    /// </summary>
    public static Architecture Describe(Sequential network, long[] inputShape, LossKind loss)
    {
        var layers = new List<LayerInfo>();
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var first = network.parameters().FirstOrDefault();
            var x = zeros([2, .. inputShape], dtype: first?.dtype ?? get_default_dtype(), device: first?.device);
            int index = 0;
            foreach (var (name, child) in network.named_children())
            {
                if (child is not nn.Module<Tensor, Tensor> module)
                    throw new InvalidInputException($"layer '{name}': {child.GetType().Name} is not a tensor-to-tensor module");
                var input = x.shape[1..];
                try
                {
                    x = module.forward(x);
                }
                catch (Exception e) when (e is not InvalidInputException)
                {
                    throw new InvalidInputException($"layer '{name}' ({child.GetType().Name}): does not accept input of shape [{string.Join("x", input)}]: {e.Message.Split('\n')[0]}");
                }
                var parameters = module.named_parameters(recurse: true).ToDictionary(p => p.name, p => p.parameter);
                layers.Add(new LayerInfo(index++, name, KindOf(module), module.GetType().Name, input, x.shape[1..], parameters, module));
            }
        }
        finally
        {
            network.train(wasTraining);
        }
        if (layers.Count == 0) throw new InvalidInputException("network: has no layers");
        return new Architecture(layers, loss, inputShape);
    }

    /// <summary>The layer kind of a module, <see cref="LayerKind.Unknown"/> for types the analysis does not know.</summary>
    public static LayerKind KindOf(nn.Module module) => module switch
    {
        Linear => LayerKind.Linear,
        Conv2d => LayerKind.Conv2d,
        BatchNorm1d => LayerKind.BatchNorm1d,
        BatchNorm2d => LayerKind.BatchNorm2d,
        LayerNorm => LayerKind.LayerNorm,
        ReLU => LayerKind.ReLU,
        LeakyReLU or HeldLeakyReLU => LayerKind.LeakyReLU,
        Identity => LayerKind.Identity,
        Tanh => LayerKind.Tanh,
        Sigmoid => LayerKind.Sigmoid,
        GELU => LayerKind.GELU,
        MaxPool2d => LayerKind.MaxPool2d,
        AvgPool2d => LayerKind.AvgPool2d,
        AdaptiveAvgPool2d => LayerKind.AdaptiveAvgPool2d,
        Flatten => LayerKind.Flatten,
        Dropout => LayerKind.Dropout,
        _ => LayerKind.Unknown,
    };
}
