namespace NeuralMechanics.Data;

/// <summary>
/// Images held in memory as bytes (channel-major, one example after the other): four times
/// smaller than floats; a byte b reads as b/255.
/// </summary>
internal sealed class ByteImageDataSet : ImageDataSet
{
    private readonly ReadOnlyMemory<byte> pixels;
    private readonly int[] labels;

    public ByteImageDataSet(string name, int channels, int height, int width, int classes, ReadOnlyMemory<byte> pixels, int[] labels)
    {
        if (pixels.Length != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{name}: {pixels.Length} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}");
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        this.pixels = pixels;
        this.labels = labels;
    }

    public override string Name { get; }
    public override int Count => labels.Length;
    public override int Channels { get; }
    public override int Height { get; }
    public override int Width { get; }
    public override int Classes { get; }

    public override int Label(int index) => labels[index];

    public override void ReadImage(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = ImageSize;
        var source = pixels.Span.Slice(index * size, size);
        for (int i = 0; i < size; i++)
            destination[i] = source[i] / 255f;
    }
}
