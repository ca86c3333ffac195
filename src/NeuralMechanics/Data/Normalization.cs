namespace NeuralMechanics.Data;

/// <summary>Per-channel mean and standard deviation; the loader feeds (x − mean_c) / std_c.</summary>
public sealed class Normalization(float[] mean, float[] std)
{
    /// <summary>Mean of each channel.</summary>
    public float[] Mean { get; } = mean.Length == std.Length ? mean : throw new ArgumentException($"{mean.Length} means but {std.Length} standard deviations");

    /// <summary>Standard deviation of each channel.</summary>
    public float[] Std { get; } = std;

    /// <summary>
    /// Pixel statistics of up to <paramref name="maxExamples"/> examples spread evenly over the
    /// set (not the first ones: files are often sorted by class). A constant channel gets std 1.
    /// </summary>
    public static Normalization Compute(ImageDataSet data, int maxExamples = 10000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExamples, 1);
        int examples = Math.Min(maxExamples, data.Count);
        if (examples == 0) throw new InvalidInputException($"{data.Name}: normalization: expected at least one example, found none");
        int channels = data.Channels, plane = data.Height * data.Width;
        var sum = new double[channels];
        var sumSquares = new double[channels];
        var image = new float[data.ImageSize];
        for (int e = 0; e < examples; e++)
        {
            data.ReadImage((int)((long)e * data.Count / examples), image);
            for (int c = 0; c < channels; c++)
                foreach (var v in image.AsSpan(c * plane, plane))
                {
                    sum[c] += v;
                    sumSquares[c] += (double)v * v;
                }
        }
        double n = (double)examples * plane;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / n;
            double s = Math.Sqrt(Math.Max(sumSquares[c] / n - m * m, 0));
            mean[c] = (float)m;
            std[c] = s > 1e-6 ? (float)s : 1f;
        }
        return new Normalization(mean, std);
    }
}
