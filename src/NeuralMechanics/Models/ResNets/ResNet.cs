using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// ResNet for small images, like the reference implementation's Tiny ImageNet ResNets: a 3×3
/// stride-1 bias-free stem convolution + BatchNorm + ReLU (no max-pool, for 32×32 and 64×64
/// inputs), four stages of <see cref="BasicBlock"/>s (64, 128, 256, 512 channels at width 1; the
/// first block of stages 2–4 halves the resolution), adaptive average pooling to 1×1, flatten and
/// a Linear head. Children: conv1, bn1, relu, layer1…layer4 (blocks 0, 1, …), avgpool, flatten, fc.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private static readonly string[] Chain = ["conv1", "bn1", "relu", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "fc"];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Flatten flatten;
    private readonly Linear fc;

    /// <summary>Blocks per stage of each depth (BasicBlock ResNets).</summary>
    public static readonly IReadOnlyDictionary<int, int[]> Stages = new Dictionary<int, int[]>
    {
        [18] = [2, 2, 2, 2],
        [34] = [3, 4, 6, 3],
    };

    /// <summary>Channels of the four stages at width multiplier <paramref name="width"/>: round(64·2^s·width), at least 1.</summary>
    public static long[] StageChannels(double width) => [.. Enumerable.Range(0, 4).Select(s => Math.Max(1, (long)Math.Round(64 * (1 << s) * width)))];

    /// <summary>Output channels of every convolution, in the order of the architecture graph (stem; per block conv1, conv2, shortcut).</summary>
    public static IReadOnlyList<long> ConvolutionChannels(int depth, double width)
    {
        if (!Stages.TryGetValue(depth, out var blocks)) return [];
        var channels = StageChannels(width);
        var result = new List<long> { channels[0] };
        long previous = channels[0];
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < blocks[s]; b++)
            {
                result.Add(channels[s]);
                result.Add(channels[s]);
                if (b == 0 && (s > 0 || previous != channels[s])) result.Add(channels[s]);
                previous = channels[s];
            }
        return result;
    }

    private ResNet(long inChannels, int[] blocks, long[] channels, int classes) : base(nameof(ResNet))
    {
        conv1 = nn.Conv2d(inChannels, channels[0], 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(channels[0]);
        relu = nn.ReLU();
        var stages = new Sequential[4];
        long current = channels[0];
        for (int s = 0; s < 4; s++)
        {
            var stage = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocks[s]; b++)
            {
                stage.Add(($"{b}", new BasicBlock(current, channels[s], b == 0 && s > 0 ? 2 : 1)));
                current = channels[s];
            }
            stages[s] = nn.Sequential(stage);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        avgpool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        fc = nn.Linear(current, classes);
        RegisterComponents();
    }

    /// <summary>
    /// Builds ResNet-<paramref name="depth"/> (18 or 34) for C×H×W inputs: convolutions Kaiming normal
    /// (fan-out, ReLU gain, as torchvision), BatchNorm γ = 1, β = 0, the head by <see cref="ModelOptions.Init"/>
    /// (Kaiming normal fan-in, or PyTorch's default Linear with <see cref="Initialisation.Reference"/>).
    /// </summary>
    /// <exception cref="InvalidInputException">Unknown depth, a non-image input, or a non-positive width.</exception>
    public static (ResNet Network, List<string> Notes) Create(int depth, long[] inputShape, int classes, ModelOptions options)
    {
        if (!Stages.TryGetValue(depth, out var blocks))
            throw new InvalidInputException($"--model: ResNet depth must be {string.Join(" or ", Stages.Keys)}, found {depth}");
        if (inputShape.Length != 3)
            throw new InvalidInputException($"--model resnet: expects image input C×H×W, found [{string.Join("x", inputShape)}]");
        if (!(options.Width > 0))
            throw new InvalidInputException($"--width: expected a positive multiplier, found {options.Width}");
        bool kaiming = Initialisation.Parse(options.Init) == Initialisation.Kaiming;
        var channels = StageChannels(options.Width);
        var network = new ResNet(inputShape[0], blocks, channels, classes);
        using (no_grad())
        {
            foreach (var module in network.modules())
                if (module is Conv2d conv)
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        }
        if (kaiming) Initialisation.KaimingLinear(network.fc);
        var notes = new List<string>();
        if (options.Width != 1) notes.Add($"width ×{options.Width}: stages of {string.Join(", ", channels)} channels");
        return (network, notes);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = relu.forward(bn1.forward(conv1.forward(x)));
        h = layer4.forward(layer3.forward(layer2.forward(layer1.forward(h))));
        return fc.forward(flatten.forward(avgpool.forward(h)));
    }

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue input) => Chain.Aggregate(input, (x, child) => graph.Child(child, x));
}
