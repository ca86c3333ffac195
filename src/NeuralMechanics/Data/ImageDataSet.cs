namespace NeuralMechanics.Data;

/// <summary>
/// A labelled set of images, read one example at a time. Implementations are immutable and
/// safe to read from several threads (the batch loader reads on a background thread).
/// </summary>
public abstract class ImageDataSet
{
    /// <summary>Dataset and split, e.g. "fashion-mnist/train".</summary>
    public abstract string Name { get; }

    /// <summary>Number of examples.</summary>
    public abstract int Count { get; }

    /// <summary>Image channels C.</summary>
    public abstract int Channels { get; }

    /// <summary>Image height H.</summary>
    public abstract int Height { get; }

    /// <summary>Image width W.</summary>
    public abstract int Width { get; }

    /// <summary>Number of classes K; labels are 0..K-1.</summary>
    public abstract int Classes { get; }

    /// <summary>Floats per example, C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Class label of example <paramref name="index"/>.</summary>
    public abstract int Label(int index);

    /// <summary>Writes C·H·W floats in [0,1] (channel-major) for example <paramref name="index"/>.</summary>
    public abstract void ReadImage(int index, Span<float> destination);

    /// <summary>The first <paramref name="count"/> examples (all of them when there are fewer), for CPU-sized runs.</summary>
    public ImageDataSet Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count >= Count ? this : new Prefix(this, count);
    }

    /// <summary>A view on the first examples of another set.</summary>
    private sealed class Prefix(ImageDataSet source, int count) : ImageDataSet
    {
        public override string Name => $"{source.Name}[:{count}]";
        public override int Count => count;
        public override int Channels => source.Channels;
        public override int Height => source.Height;
        public override int Width => source.Width;
        public override int Classes => source.Classes;

        public override int Label(int index) => source.Label(Check(index));

        public override void ReadImage(int index, Span<float> destination) => source.ReadImage(Check(index), destination);

        private int Check(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
            return index;
        }
    }
}
