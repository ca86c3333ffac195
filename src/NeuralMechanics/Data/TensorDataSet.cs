using static TorchSharp.torch;

namespace NeuralMechanics.Data;

/// <summary>
/// A dataset held in two tensors: images float32 [N, C, H, W] (or [N, D], read as D×1×1) and int64
/// labels [N] in [0, classes). The way to bring your own data to a <see cref="Training.Trainer"/>.
/// </summary>
public sealed class TensorDataSet : ImageDataSet
{
    private readonly float[] images;
    private readonly long[] labels;

    /// <summary>Copies <paramref name="images"/> and <paramref name="labels"/> to the host.</summary>
    /// <exception cref="InvalidInputException">Shapes or labels that do not fit together, naming <paramref name="name"/>.</exception>
    public TensorDataSet(string name, Tensor images, Tensor labels, int classes)
    {
        Name = name;
        if (images.dim() is not (2 or 4))
            throw new InvalidInputException($"{name}: images: expected a tensor [N, C, H, W] or [N, D], found [{string.Join(", ", images.shape)}]");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new InvalidInputException($"{name}: labels: expected a tensor [{images.shape[0]}] (one per image), found [{string.Join(", ", labels.shape)}]");
        if (classes < 1) throw new InvalidInputException($"{name}: classes: expected ≥ 1, found {classes}");
        Count = checked((int)images.shape[0]);
        Channels = (int)images.shape[1];
        Height = images.dim() == 4 ? (int)images.shape[2] : 1;
        Width = images.dim() == 4 ? (int)images.shape[3] : 1;
        Classes = classes;
        using var scope = NewDisposeScope();
        this.images = images.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        this.labels = labels.detach().to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        for (int i = 0; i < this.labels.Length; i++)
            if (this.labels[i] < 0 || this.labels[i] >= classes)
                throw new InvalidInputException($"{name}: labels[{i}]: expected a class in [0, {classes}), found {this.labels[i]}");
    }

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override int Count { get; }
    /// <inheritdoc/>
    public override int Channels { get; }
    /// <inheritdoc/>
    public override int Height { get; }
    /// <inheritdoc/>
    public override int Width { get; }
    /// <inheritdoc/>
    public override int Classes { get; }

    /// <inheritdoc/>
    public override int Label(int index) => (int)labels[index];

    /// <inheritdoc/>
    public override void ReadImage(int index, Span<float> destination) => images.AsSpan(index * ImageSize, ImageSize).CopyTo(destination);
}
