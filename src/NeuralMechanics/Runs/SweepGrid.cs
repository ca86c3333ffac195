using System.Globalization;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>One axis of a sweep grid: a training option and the values it takes, in the order given.</summary>
/// <param name="Key">One of <see cref="SweepGrid.Keys"/>.</param>
/// <param name="Values">Distinct finite values (whole numbers for batch and seed).</param>
public sealed record SweepAxis(string Key, IReadOnlyList<double> Values);

/// <summary>
/// The hyperparameter grid of <c>nmech sweep --grid "lr=0.1,0.01 wd=0,1e-4 momentum=0,0.9"</c>:
/// axes separated by spaces, each <c>key=v1,v2,...</c>, the key an option's name without its dashes
/// (beta1 and beta2 for the two values of --betas). The points are every combination, the
/// first axis varying slowest; each is named <c>key=value_key=value...</c> in axis order.
/// </summary>
public sealed class SweepGrid
{
    /// <summary>The training options a grid may vary.</summary>
    public static IReadOnlyList<string> Keys => RunSpec.GridKeys;

    private static IReadOnlySet<string> WholeNumberKeys => RunSpec.WholeNumberKeys;

    /// <summary>
    /// Keys a grid used to take, with the key to write now: grid keys are the options' names (a point's
    /// folder is named by its keys, so an old key is an error rather than a second name for the same folder).
    /// <c>--betas</c> takes a pair, and a grid axis numbers: its two values are varied as beta1 and beta2.
    /// </summary>
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["warmup"] = "the option is --warmup-steps: write warmup-steps=...",
        ["drop-rate"] = "the option is --lr-drop-rate: write lr-drop-rate=...",
        ["betas"] = "--betas takes a pair: vary its values with beta1=... and beta2=...",
    };

    /// <summary>The grid's axes.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>The grid from its axes; use <see cref="Parse"/> for the command-line form.</summary>
    public SweepGrid(IReadOnlyList<SweepAxis> axes) => Axes = axes;

    /// <summary>Number of points (the product of the axis lengths).</summary>
    public int Count => Axes.Aggregate(1, (n, a) => checked(n * a.Values.Count));

    /// <summary>
    /// Parses <c>key=v1,v2 key=v1,...</c>.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// Nothing given, an axis without '=' or without values, a value that is not a finite number
    /// (or not whole for batch and seed), an unknown or repeated key, or a repeated value.
    /// </exception>
    public static SweepGrid Parse(string text)
    {
        var axes = new List<SweepAxis>();
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
            throw new InvalidInputException($"--grid: expected key=v1,v2,... with keys from {string.Join(", ", Keys)}, found nothing");
        foreach (var token in tokens)
        {
            var equals = token.IndexOf('=');
            if (equals <= 0)
                throw new InvalidInputException($"--grid: expected key=v1,v2,... (e.g. lr=0.1,0.01), found '{token}'");
            var key = token[..equals].ToLowerInvariant();
            if (Renamed.TryGetValue(key, out var option))
                throw new InvalidInputException($"--grid: unknown key '{token[..equals]}'; {option}");
            if (!Keys.Contains(key))
                throw new InvalidInputException($"--grid: unknown key '{token[..equals]}'; expected one of {string.Join(", ", Keys)}");
            if (axes.Any(a => a.Key == key))
                throw new InvalidInputException($"--grid: key '{key}' given twice; give all its values in one key=v1,v2,...");
            var list = token[(equals + 1)..];
            if (list.Length == 0)
                throw new InvalidInputException($"--grid: {key}: expected at least one value after '=', found '{token}'");
            var values = new List<double>();
            foreach (var item in list.Split(','))
            {
                var value = ParseValue(key, item);
                if (values.Contains(value))
                    throw new InvalidInputException($"--grid: {key}: value {Format(key, value)} given twice");
                values.Add(value);
            }
            axes.Add(new SweepAxis(key, values));
        }
        return new SweepGrid(axes);
    }

    /// <summary>Every point: its values in axis order, first axis slowest.</summary>
    public IReadOnlyList<IReadOnlyList<(string Key, double Value)>> Points()
    {
        IEnumerable<IReadOnlyList<(string, double)>> points = [[]];
        foreach (var axis in Axes)
            points = points.SelectMany(p => axis.Values.Select(v => (IReadOnlyList<(string, double)>)[.. p, (axis.Key, v)]));
        return points.ToList();
    }

    /// <summary>A point's folder name, e.g. <c>lr=0.1_wd=0.0001_momentum=0.9</c>.</summary>
    public static string Name(IReadOnlyList<(string Key, double Value)> point) =>
        string.Join("_", point.Select(p => $"{p.Key}={Format(p.Key, p.Value)}"));

    /// <summary><paramref name="config"/> with the point's values set and <paramref name="outDir"/> as output.</summary>
    public static RunSpec Apply(RunSpec config, IReadOnlyList<(string Key, double Value)> point, string outDir) =>
        point.Aggregate(config, (c, p) => c.With(p.Key, p.Value)) with { OutDir = outDir };

    /// <summary>The shortest text that parses back to the value ("0.0001", "5e-05", "128").</summary>
    public static string Format(string key, double value) =>
        WholeNumberKeys.Contains(key)
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();

    private static double ParseValue(string key, string text)
    {
        if (WholeNumberKeys.Contains(key))
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                throw new InvalidInputException($"--grid: {key}: expected a whole number, found '{text}'");
            // Values travel as doubles: whole numbers beyond 2^53 would not survive.
            if (Math.Abs(whole) > 1L << 53)
                throw new InvalidInputException($"--grid: {key}: expected a whole number of magnitude at most 2^53, found '{text}'");
            if (key == "batch" && whole is < 1 or > int.MaxValue)
                throw new InvalidInputException($"--grid: batch: expected a whole number from 1 to {int.MaxValue}, found '{text}'");
            return whole;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidInputException($"--grid: {key}: expected a finite number, found '{text}'");
        return value;
    }
}
