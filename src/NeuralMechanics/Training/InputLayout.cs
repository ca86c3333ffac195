using NeuralMechanics.Models;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// The memory layout a batch of images enters a convolutional network in during training. On the
/// CPU, libtorch 2.10's convolutions (oneDNN) and max pooling run faster on channels-last (NHWC)
/// memory, and every layer after the first convolution keeps the layout (measured: VGG-11 ×1/4,
/// batch 128, 2 cores, 52–55 ms a step against 56–62 ms in NCHW; PyTorch 1.13 gains nothing from
/// it, 60–63 ms either way). The batch holds the same values; only its strides change, and the
/// gradients agree with NCHW's to float32 rounding, run after run. Not for residual networks: a
/// ResNet-18 at width 1/16 (4 channels, oneDNN capped at AVX2) got different weight gradients of its
/// 1×1 stride-2 shortcut from two identical channels-last passes (up to 42 % apart; NCHW's are the same
/// every time), so they stay in NCHW, as does everything on CUDA, in float64 or without a convolution.
/// </summary>
internal static class InputLayout
{
    /// <summary>Whether batches of <paramref name="network"/> (described by <paramref name="architecture"/>) go in channels-last: a float32 CPU chain of convolutions, no residual add.</summary>
    public static bool ChannelsLastFor(nn.Module<Tensor, Tensor> network, Architecture architecture) =>
        architecture.InputShape.Length == 3 && architecture.Layers.Any(l => l.Operation == Operations.Conv2d)
        && !architecture.Layers.Any(l => l.Operation.Merge == Merge.Add)
        && network.parameters().All(p => p.device_type == TorchSharp.DeviceType.CPU && p.dtype == ScalarType.Float32);

    /// <summary>A float32 image batch [N, C, H, W] in channels-last memory (a copy, in the current dispose scope); any other tensor as it is.</summary>
    public static Tensor ChannelsLast(Tensor x) =>
        x.dim() == 4 && x.dtype == ScalarType.Float32 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x;
}
