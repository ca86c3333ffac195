namespace NeuralMechanics.Data;

/// <summary>
/// Seeded images of any shape with learnable class structure: example i has class i mod K and
/// pixels clamp(prototype_k + noise, 0, 1), noise uniform in [−0.4, 0.4] (standard deviation σ)
/// and prototype pixels 0.5 + δ·uniform[−1, 1] with δ chosen so that two prototypes lie
/// <see cref="Separation"/>·σ apart whatever the image size: a linear model learns the classes
/// well above chance without the task being trivial. Nothing is stored but the K prototypes:
/// each example is regenerated from (seed, split, index).
/// </summary>
internal sealed class SyntheticDataSet : ImageDataSet
{
    /// <summary>Training and test set sizes.</summary>
    public const int TrainCount = 10000, TestCount = 2000;

    /// <summary>Expected distance between two class prototypes, in noise standard deviations.</summary>
    public const double Separation = 6;

    private const float NoiseAmplitude = 0.4f;
    private readonly float[] prototypes;
    private readonly long seed, split;

    private SyntheticDataSet(string name, int channels, int height, int width, int classes, int count, float[] prototypes, long seed, long split)
    {
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        Count = count;
        this.prototypes = prototypes;
        this.seed = seed;
        this.split = split;
    }

    /// <summary>Train and test sets sharing the class prototypes drawn from <paramref name="seed"/>.</summary>
    public static DataSplit Create(string name, int channels, int height, int width, int classes, long seed)
    {
        var rng = new SplitMix64(SplitMix64.Derive(seed, 0));
        int size = channels * height * width;
        // |p_k − p_l|² = size·δ²·2/3 for independent uniform[−δ, δ] pixels; σ² = a²/3 for uniform[−a, a] noise.
        float delta = (float)(Separation * NoiseAmplitude / Math.Sqrt(3) / Math.Sqrt(2.0 * size / 3));
        var prototypes = new float[(long)classes * size];
        for (int i = 0; i < prototypes.Length; i++)
            prototypes[i] = 0.5f + delta * (2 * rng.NextFloat() - 1);
        return new DataSplit(
            new SyntheticDataSet($"{name}/train", channels, height, width, classes, TrainCount, prototypes, seed, 1),
            new SyntheticDataSet($"{name}/test", channels, height, width, classes, TestCount, prototypes, seed, 2));
    }

    public override string Name { get; }
    public override int Count { get; }
    public override int Channels { get; }
    public override int Height { get; }
    public override int Width { get; }
    public override int Classes { get; }

    public override int Label(int index) => Check(index) % Classes;

    public override void ReadImage(int index, Span<float> destination)
    {
        int size = ImageSize;
        var prototype = prototypes.AsSpan(Label(index) * size, size);
        var rng = new SplitMix64(SplitMix64.Derive(seed, (split << 32) + index));
        for (int i = 0; i < size; i++)
            destination[i] = Math.Clamp(prototype[i] + NoiseAmplitude * (2 * rng.NextFloat() - 1), 0f, 1f);
    }

    private int Check(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return index;
    }
}
