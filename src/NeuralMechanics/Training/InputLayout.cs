using NeuralMechanics.Models;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// The memory layout a batch of images enters a convolutional network in during training. On the
/// CPU, libtorch 2.10's convolutions (oneDNN) and max pooling run faster on channels-last (NHWC)
/// memory, and every layer after the first convolution keeps the layout (measured: VGG-11 ×1/4,
/// batch 128, 2 cores, 52–55 ms a step against 56–62 ms in NCHW; PyTorch 1.13 gains nothing from
/// it, 60–63 ms either way). The batch holds the same values; only its strides change, and the
/// gradients agree with NCHW's to float32 rounding, run after run. Residual networks take it only
/// as the zoo's <see cref="ResNet"/>: oneDNN's AVX2 kernel for the weight gradient of a 1×1 stride-2
/// convolution on channels-last input with 3–7 input channels (a ResNet-18 at width 1/16, whose
/// 4 channels cap oneDNN at AVX2) is wrong, differs run to run and sometimes hangs; the zoo's
/// <see cref="BasicBlock"/> and the ONNX importer's Conv compute that shortcut as a subsampling and a
/// stride-1 convolution, which is right; other residual modules (a user's own, whose convolutions we
/// do not run) stay in NCHW, as does everything on CUDA, in float64 or without a convolution.
/// </summary>
internal static class InputLayout
{
    /// <summary>Whether batches of <paramref name="network"/> (described by <paramref name="architecture"/>) go in channels-last: a float32 CPU network of convolutions, with no residual add unless it is the zoo's ResNet or an imported ONNX network.</summary>
    public static bool ChannelsLastFor(nn.Module<Tensor, Tensor> network, Architecture architecture) =>
        architecture.InputShape.Length == 3 && architecture.Layers.Any(l => l.Operation == Operations.Conv2d)
        && (network is ResNet or Models.Onnx.OnnxNetwork || !architecture.Layers.Any(l => l.Operation.Merge == Merge.Add))
        && network.parameters().All(p => p.device_type == TorchSharp.DeviceType.CPU && p.dtype == ScalarType.Float32);

    /// <summary>A float32 image batch [N, C, H, W] in channels-last memory (a copy, in the current dispose scope); any other tensor as it is.</summary>
    public static Tensor ChannelsLast(Tensor x) =>
        x.dim() == 4 && x.dtype == ScalarType.Float32 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x;
}
