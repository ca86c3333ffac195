using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Models;

/// <summary>
/// ResNet's basic block: relu2(bn2(conv2(relu1(bn1(conv1(x))))) + shortcut(x)), 3×3 bias-free
/// convolutions, the first with the block's stride; the shortcut is the identity, or a 1×1
/// bias-free convolution + BatchNorm (children shortcut.0, shortcut.1) where the stride or the
/// channel count changes. It describes itself to the symmetry analysis (<see cref="IGraphBlock"/>),
/// which is how the residual-stream rescale across its add is found.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly nn.Module<Tensor, Tensor> shortcut;
    private readonly ReLU relu2;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels, downsampling by <paramref name="stride"/>.</summary>
    public BasicBlock(long inChannels, long outChannels, long stride) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        HasProjection = stride != 1 || inChannels != outChannels;
        shortcut = HasProjection
            ? nn.Sequential(("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("1", nn.BatchNorm2d(outChannels)))
            : nn.Identity();
        relu2 = nn.ReLU();
        RegisterComponents();
    }

    /// <summary>Whether the shortcut is a 1×1 convolution + BatchNorm rather than the identity.</summary>
    public bool HasProjection { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) =>
        relu2.forward(bn2.forward(conv2.forward(relu1.forward(bn1.forward(conv1.forward(x))))) + shortcut.forward(x));

    /// <inheritdoc />
    public GraphValue Describe(GraphBuilder graph, GraphValue x)
    {
        var residual = graph.Child("bn2", graph.Child("conv2", graph.Child("relu1", graph.Child("bn1", graph.Child("conv1", x)))));
        return graph.Child("relu2", graph.Add(residual, graph.Child("shortcut", x)));
    }
}
