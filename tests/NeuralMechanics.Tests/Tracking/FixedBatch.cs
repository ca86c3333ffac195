using NeuralMechanics.Data;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>Full-batch training: the same (x, y) every step, so a step's loss is a known function of θ.</summary>
internal sealed class FixedBatch(Tensor x, Tensor y) : IBatchSource
{
    public long Position { get; private set; }

    public int BatchesPerEpoch => 1;

    public (Tensor X, Tensor Y) Next()
    {
        Position++;
        return (x, y);
    }

    public void Seek(long position) => Position = position;
}
