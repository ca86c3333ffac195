using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// VGG as in the reference Tiny ImageNet variant: per config entry conv 3×3 padding 1
/// (+ BatchNorm2d) + ReLU, max-pool 2×2 for 'M'; classifier Linear(d, d/2), ReLU, Dropout,
/// Linear(d/2, d/2), ReLU, Dropout, Linear(d/2, classes), d = channels × final spatial size
/// (512·(H/32)·(W/32) at width 1). Layers are named conv1…, bn1…, relu1…, pool1…, fc1…fc3.
/// Convolutions are Kaiming normal (fan-out); the classifier follows <see cref="ModelOptions.Init"/>.
/// </summary>
public static class Vgg
{
    private const int M = -1;

    /// <summary>Channel configurations; -1 marks a 2×2 max-pool.</summary>
    public static readonly IReadOnlyDictionary<int, int[]> Configs = new Dictionary<int, int[]>
    {
        [11] = [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [13] = [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [16] = [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M],
        [19] = [64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M],
    };

    /// <summary>Output channels of every convolution of VGG-<paramref name="depth"/> at <paramref name="width"/>, without building it.</summary>
    public static IReadOnlyList<long> ConvolutionChannels(int depth, double width) =>
        Configs.TryGetValue(depth, out var config) ? config.Where(e => e != M).Select(e => Channels(e, width)).ToList() : [];

    private static long Channels(int entry, double width) => Math.Max(1, (long)Math.Round(entry * width));

    /// <summary>
    /// Builds VGG-<paramref name="depth"/>. Pools that would shrink the feature map to size 0
    /// (small inputs such as 28×28) are skipped and reported in the notes.
    /// </summary>
    public static (Sequential Network, List<string> Notes) Create(int depth, bool batchNorm, long[] inputShape, int classes, ModelOptions options)
    {
        if (!Configs.TryGetValue(depth, out var config))
            throw new InvalidInputException($"--model: VGG depth must be 11, 13, 16 or 19, found {depth}");
        if (inputShape.Length != 3)
            throw new InvalidInputException($"--model vgg: expects image input C×H×W, found [{string.Join("x", inputShape)}]");
        if (!(options.Width > 0))
            throw new InvalidInputException($"--width: expected a positive multiplier, found {options.Width}");
        var notes = new List<string>();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = inputShape[0], h = inputShape[1], w = inputShape[2];
        int conv = 0, pool = 0;
        foreach (var entry in config)
        {
            if (entry == M)
            {
                pool++;
                if (h / 2 == 0 || w / 2 == 0)
                {
                    notes.Add($"pool{pool} skipped: a {h}×{w} feature map would shrink to size 0");
                    continue;
                }
                layers.Add(($"pool{pool}", nn.MaxPool2d(2, 2)));
                h /= 2; w /= 2;
                continue;
            }
            conv++;
            long outChannels = Channels(entry, options.Width);
            var c = nn.Conv2d(channels, outChannels, 3, padding: 1);
            using (no_grad())
            {
                nn.init.kaiming_normal_(c.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                nn.init.zeros_(c.bias);
            }
            layers.Add(($"conv{conv}", c));
            if (batchNorm) layers.Add(($"bn{conv}", nn.BatchNorm2d(outChannels)));
            layers.Add(($"relu{conv}", nn.ReLU()));
            channels = outChannels;
        }
        long d = channels * h * w, hidden = Math.Max(1, d / 2);
        Func<Linear, Linear> InitLinear = Initialisation.Parse(options.Init) == Initialisation.Kaiming
            ? Initialisation.KaimingLinear : Initialisation.ReferenceLinear;
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("fc1", InitLinear(nn.Linear(d, hidden))));
        layers.Add(("relu_fc1", nn.ReLU()));
        layers.Add(("drop1", nn.Dropout(options.Dropout)));
        layers.Add(("fc2", InitLinear(nn.Linear(hidden, hidden))));
        layers.Add(("relu_fc2", nn.ReLU()));
        layers.Add(("drop2", nn.Dropout(options.Dropout)));
        layers.Add(("fc3", InitLinear(nn.Linear(hidden, classes))));
        if (options.Width != 1) notes.Add($"width ×{options.Width}: {d} features into the classifier");
        return (nn.Sequential(layers), notes);
    }
}
