using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>The models <c>nmech</c> knows by name.</summary>
public static class ModelZoo
{
    /// <summary>Every model name.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["logistic", "mlp", "vgg11", "vgg11-bn", "vgg13", "vgg13-bn", "vgg16", "vgg16-bn", "vgg19", "vgg19-bn", "resnet18", "resnet34", "vit"];

    /// <summary>Whether <paramref name="name"/> is a zoo model or an ONNX file (a name ending in .onnx, imported by <see cref="Create"/>).</summary>
    public static bool IsKnown(string name) => Names.Contains(name.ToLowerInvariant()) || IsOnnxFile(name);

    /// <summary>Whether <paramref name="name"/> names an ONNX file (…/model.onnx) rather than a zoo model.</summary>
    public static bool IsOnnxFile(string name) => name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The options <paramref name="name"/> is built with when none is given: <see cref="ModelOptions"/>'s
    /// defaults, except the ViT's 4 blocks and GELU (the command line fills options it is not given from these).
    /// </summary>
    public static ModelOptions DefaultOptions(string name) =>
        name.Equals("vit", StringComparison.OrdinalIgnoreCase) ? new ModelOptions(Depth: 4, Activation: "gelu") : new ModelOptions();

    /// <summary>
    /// Output channels of every convolution <paramref name="name"/> will have, without building it
    /// (empty for models without convolutions or unknown names), so that
    /// <see cref="NativeEnvironment.PrepareConvolutions"/> can run before the first tensor operation.
    /// </summary>
    public static IReadOnlyList<long> ConvolutionChannels(string name, ModelOptions? options = null)
    {
        if (IsOnnxFile(name)) return Onnx.OnnxNetwork.ConvolutionChannels(name);
        string n = name.ToLowerInvariant();
        double width = (options ?? new ModelOptions()).Width;
        if (VggDepth(n) is int vgg) return Vgg.ConvolutionChannels(vgg, width);
        if (ResNetDepth(n) is int resnet) return ResNet.ConvolutionChannels(resnet, width);
        return [];
    }

    /// <summary>The depth of a known VGG name (vgg16, vgg16-bn, ...), else null.</summary>
    private static int? VggDepth(string n) =>
        n.StartsWith("vgg") && int.TryParse(n.EndsWith("-bn") ? n[3..^3] : n[3..], out int depth) && Vgg.Configs.ContainsKey(depth) ? depth : null;

    /// <summary>The depth of a known ResNet name (resnet18, resnet34), else null.</summary>
    private static int? ResNetDepth(string n) =>
        n.StartsWith("resnet") && int.TryParse(n[6..], out int depth) && ResNet.Stages.ContainsKey(depth) ? depth : null;

    /// <summary>
    /// Builds <paramref name="name"/> for inputs of shape C×H×W and <paramref name="classes"/>
    /// outputs, in <paramref name="dtype"/> (default float32) on <paramref name="device"/> (default CPU).
    /// Seed torch (torch.manual_seed) first for a reproducible initialisation. The architecture
    /// is described after the move, so its parameter references are the live ones.
    /// </summary>
    public static ZooModel Create(string name, long[] inputShape, int classes, ModelOptions? options = null,
        LossKind loss = LossKind.CrossEntropy, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        options ??= DefaultOptions(name);
        if (classes < 1) throw new InvalidInputException($"classes: expected ≥ 1, found {classes}");
        if (IsOnnxFile(name)) return Imported(name, inputShape, classes, loss, dtype, device);
        string n = name.ToLowerInvariant();
        nn.Module<Tensor, Tensor> network;
        List<string> notes = [];
        // Before Architecture.Describe's probe pass runs the first convolution.
        string? oneDnnWarning = NativeEnvironment.PrepareConvolutions(ConvolutionChannels(n, options));
        if (n == "logistic") network = Mlp.Create(inputShape, classes, options with { Depth = 0 });
        else if (n == "mlp") network = Mlp.Create(inputShape, classes, options);
        else if (VggDepth(n) is int depth)
            (network, notes) = Vgg.Create(depth, n.EndsWith("-bn"), inputShape, classes, options);
        else if (ResNetDepth(n) is int resnet)
            (network, notes) = ResNet.Create(resnet, inputShape, classes, options);
        else if (n == "vit")
            (network, notes) = VisionTransformer.Create(inputShape, classes, options);
        else
            throw new InvalidInputException($"--model: unknown model '{name}'; expected one of {string.Join(", ", Names)}");
        // Initialised in float32 on the CPU (the same numbers for every dtype and device), then moved.
        if (dtype != ScalarType.Float32) network.to(dtype);
        if (device is not null && device.type != DeviceType.CPU) network.to(device);
        BatchNormCounter.RemoveUnused(network);
        if (oneDnnWarning is not null) notes.Add(oneDnnWarning);
        return new ZooModel(n, network, Architecture.Describe(network, inputShape, loss), notes);
    }

    /// <summary>A PyTorch model from an ONNX file: its weights are the file's initializers (no seed is used), its input
    /// shape and classes must be the data's.</summary>
    private static ZooModel Imported(string path, long[] inputShape, int classes, LossKind loss, ScalarType dtype, Device? device)
    {
        string? oneDnnWarning = NativeEnvironment.PrepareConvolutions(ConvolutionChannels(path));
        var network = Onnx.OnnxNetwork.Load(path);
        if (!network.ExampleShape.SequenceEqual(inputShape))
            throw InvalidInputException.InFile(path, "graph.input",
                $"expected examples of the data's shape [{string.Join(",", inputShape)}], found [{string.Join(",", network.ExampleShape)}] (export the model with an input of the data's shape)");
        if (network.Classes != classes)
            throw InvalidInputException.InFile(path, "graph.output", $"expected the data's {classes} classes, found {network.Classes}");
        if (dtype != ScalarType.Float32) network.to(dtype);
        if (device is not null && device.type != DeviceType.CPU) network.to(device);
        List<string> notes = oneDnnWarning is null ? [] : [oneDnnWarning];
        return new ZooModel(path, network, Architecture.Describe(network, inputShape, loss), notes);
    }
}
