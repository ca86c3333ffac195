using NeuralMechanics.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CustomResNet;

/// <summary>
/// A residual block written as an ordinary TorchSharp module: relu(bn2(conv2(relu(bn1(conv1(x))))) + x).
/// <see cref="Describe"/> retraces <see cref="forward"/> for the symmetry analysis, which checks it
/// against forward on a probe batch.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly ReLU relu1, relu2;

    public ResidualBlock(long channels) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(channels);
        relu2 = nn.ReLU();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        relu2.forward(bn2.forward(conv2.forward(relu1.forward(bn1.forward(conv1.forward(x))))) + x);

    public GraphValue Describe(GraphBuilder graph, GraphValue x) =>
        graph.Child("relu2", graph.Add(graph.Child("bn2", graph.Child("conv2", graph.Child("relu1", graph.Child("bn1", graph.Child("conv1", x))))), x));
}

/// <summary>
/// stem (3×3 conv + BN + ReLU) → two residual blocks → 2×2 max-pool → flatten → Linear head.
/// Its symmetries: a scale group per channel of every conv (each read only by its BN), a rescale
/// group per channel of the residual stream (written by the stem's and the blocks' BNs, read by
/// the blocks' first convs and the head) and of each block's bn1 → conv2, and the head's translations.
/// </summary>
public sealed class SmallResNet : nn.Module<Tensor, Tensor>, IGraphBlock
{
    private readonly Sequential stem;
    private readonly ResidualBlock block1, block2;
    private readonly MaxPool2d pool;
    private readonly Flatten flatten;
    private readonly Linear head;

    public SmallResNet(long inputChannels, long size, long channels, int classes) : base(nameof(SmallResNet))
    {
        stem = nn.Sequential(("conv", nn.Conv2d(inputChannels, channels, 3, padding: 1, bias: false)), ("bn", nn.BatchNorm2d(channels)), ("relu", nn.ReLU()));
        block1 = new ResidualBlock(channels);
        block2 = new ResidualBlock(channels);
        pool = nn.MaxPool2d(4);
        flatten = nn.Flatten();
        head = nn.Linear(channels * (size / 4) * (size / 4), classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        head.forward(flatten.forward(pool.forward(block2.forward(block1.forward(stem.forward(x))))));

    public GraphValue Describe(GraphBuilder graph, GraphValue x) =>
        graph.Child("head", graph.Child("flatten", graph.Child("pool", graph.Child("block2", graph.Child("block1", graph.Child("stem", x))))));
}
