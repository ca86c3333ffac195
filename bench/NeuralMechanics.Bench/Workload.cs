using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Bench;

/// <summary>A model, its input and the optimizer it trains with: what one row of the tables measures.</summary>
/// <param name="Label">Name in the tables.</param>
/// <param name="Model">Model zoo name.</param>
/// <param name="Options">Model options.</param>
/// <param name="Input">Input shape C×H×W.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="Sgd">Optimizer settings.</param>
/// <param name="PyTorchKey">The workload's name in bench/pytorch_step.py.</param>
/// <param name="ReferenceMilliseconds">Plain-PyTorch step time on an H100 (../shared/gpu/README.md), where one was measured.</param>
/// <param name="PyTorchChannelsLastKey">The same network in channels-last memory in bench/pytorch_step.py, where timed too.</param>
public sealed record Workload(string Label, string Model, ModelOptions Options, long[] Input, int Classes, int BatchSize,
    SgdSettings Sgd, string PyTorchKey, double? ReferenceMilliseconds = null, string? PyTorchChannelsLastKey = null)
{
    /// <summary>Momentum 0.9 with weight decay: the tracker reads θ, g and the momentum buffer v.</summary>
    public static readonly SgdSettings MomentumSgd = new(0.01, 5e-4, 0.9);

    /// <summary>
    /// The reference figures' optimizer (plain SGD, weight decay 1e-4). Their learning rate 0.1 is
    /// lowered to 0.01, which keeps VGG-16 without BatchNorm finite on random data and does no other work.
    /// </summary>
    public static readonly SgdSettings ReferenceSgd = new(0.01, 1e-4, 0);

    /// <summary>MLP, 2 hidden layers of 256, on 1×28×28 inputs.</summary>
    public static readonly Workload Mlp = new("mlp 2×256", "mlp", new ModelOptions(Depth: 2, Hidden: 256), [1, 28, 28], 10, 128, MomentumSgd, "mlp");

    /// <summary>VGG-11 at a quarter of its channels on 3×32×32 inputs.</summary>
    public static readonly Workload Vgg11Quarter = new("vgg11 ×1/4", "vgg11", new ModelOptions(Width: 0.25), [3, 32, 32], 10, 128, MomentumSgd, "vgg11q");

    /// <summary>ResNet-18 (CIFAR stem) at a quarter of its channels on 3×32×32 inputs; PyTorch also times its channels-last layout.</summary>
    public static readonly Workload ResNet18Quarter = new("resnet18 ×1/4", "resnet18", new ModelOptions(Width: 0.25), [3, 32, 32], 10, 64, MomentumSgd,
        "resnet18q", PyTorchChannelsLastKey: "resnet18q-cl");

    /// <summary>The ViT at its defaults (7×7 patches, 64 features, 4 blocks of 4 heads, GELU) on 1×28×28 inputs.</summary>
    public static readonly Workload Vit = new("vit", "vit", ModelZoo.DefaultOptions("vit"), [1, 28, 28], 10, 64, MomentumSgd, "vit");

    /// <summary>
    /// <paramref name="of"/>'s network read from <paramref name="onnxFile"/> (PyTorch's export of its twin in
    /// bench/pytorch_step.py) instead of built by the zoo: the same shapes, batch, optimizer and PyTorch twin.
    /// </summary>
    public static Workload Imported(Workload of, string onnxFile) =>
        of with { Label = $"{of.Label}, ONNX import", Model = onnxFile, ReferenceMilliseconds = null };

    /// <summary>The reference's Tiny ImageNet VGG-16.</summary>
    public static readonly Workload Vgg16 = new("vgg16", "vgg16", new ModelOptions(), [3, 64, 64], 200, 256, ReferenceSgd, "vgg16", 18.1);

    /// <summary>The reference's Tiny ImageNet VGG-16 with BatchNorm.</summary>
    public static readonly Workload Vgg16Bn = new("vgg16-bn", "vgg16-bn", new ModelOptions(), [3, 64, 64], 200, 256, ReferenceSgd, "vgg16bn", 24.9);

    /// <summary>The name <c>--workloads</c> selects it by: its PyTorch key, or "onnx" for an imported network.</summary>
    public string Key => ModelZoo.IsOnnxFile(Model) ? "onnx" : PyTorchKey;

    /// <summary>The synthetic dataset of this input shape and class count.</summary>
    public string Data => $"synthetic:{Input[0]}x{Input[1]}x{Input[2]}:{Classes}";

    /// <summary>Input shape as C×H×W.</summary>
    public string InputText => string.Join("×", Input);
}
