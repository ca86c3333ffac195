using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// ResNet's basic block: relu2(bn2(conv2(relu1(bn1(conv1(x))))) + shortcut(x)), 3×3 bias-free
/// convolutions, the first with the block's stride; the shortcut is the identity, or a 1×1
/// bias-free convolution + BatchNorm (children shortcut.0, shortcut.1) where the stride or the
/// channel count changes. It describes itself to the symmetry analysis (<see cref="IGraphBlock"/>),
/// which is how the residual-stream rescale across its add is found. A strided shortcut runs as
/// x[:, :, ::s, ::s] into the 1×1 convolution at stride 1, the same function as the strided
/// convolution (a 1×1 kernel without padding reads only those pixels): libtorch 2.10's oneDNN
/// AVX2 kernel for the weight gradient of a 1×1 stride-2 convolution on channels-last input with
/// 3–7 input channels returns wrong, run-to-run different values and sometimes never returns
/// (measured: 4→8 channels, 64×32×32; stride 1 and 8 or more channels are right).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly nn.Module<Tensor, Tensor> shortcut;
    private readonly Conv2d? projection;
    private readonly BatchNorm2d? projectionNorm;
    private readonly long stride;
    private readonly ReLU relu2;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels, downsampling by <paramref name="stride"/>.</summary>
    public BasicBlock(long inChannels, long outChannels, long stride) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        this.stride = stride;
        HasProjection = stride != 1 || inChannels != outChannels;
        if (HasProjection)
        {
            // The module keeps its stride: the symmetry analysis and the ONNX export read it.
            projection = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
            projectionNorm = nn.BatchNorm2d(outChannels);
            shortcut = nn.Sequential(("0", projection), ("1", projectionNorm));
        }
        else shortcut = nn.Identity();
        relu2 = nn.ReLU();
        RegisterComponents();
    }

    /// <summary>Whether the shortcut is a 1×1 convolution + BatchNorm rather than the identity.</summary>
    public bool HasProjection { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) =>
        relu2.forward(bn2.forward(conv2.forward(relu1.forward(bn1.forward(conv1.forward(x))))) + Shortcut(x));

    /// <summary>The shortcut branch; a strided projection as subsampling then a stride-1 1×1 convolution (see the class remarks).</summary>
    private Tensor Shortcut(Tensor x)
    {
        if (projection is null || stride == 1) return shortcut.forward(x);
        using var subsampled = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
        using var projected = nn.functional.conv2d(subsampled, projection.weight!);
        return projectionNorm!.forward(projected);
    }

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue x)
    {
        var residual = graph.Child("bn2", graph.Child("conv2", graph.Child("relu1", graph.Child("bn1", graph.Child("conv1", x)))));
        return graph.Child("relu2", graph.Add(residual, graph.Child("shortcut", x)));
    }
}
