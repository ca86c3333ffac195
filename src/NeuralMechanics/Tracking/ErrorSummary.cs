using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Tracking;

/// <summary>
/// Streaming median and maximum of relative prediction errors, per symmetry kind and predictor,
/// over groups and logged steps. A log-spaced histogram (40 bins per decade from 1e-18 to 1e3)
/// keeps the memory fixed whatever the run's length; the median is exact to within a bin
/// (about 6 %), the maximum exactly.
/// </summary>
public sealed class ErrorSummary
{
    private const double LowestDecade = -18, HighestDecade = 3;
    private const int BinsPerDecade = 40;
    private static readonly int Bins = (int)((HighestDecade - LowestDecade) * BinsPerDecade) + 2;

    private readonly Dictionary<(SymmetryKind, string), (long[] Counts, double[] Max)> cells = new();

    /// <summary>Adds one relative error; NaN (no prediction) is ignored.</summary>
    public void Add(SymmetryKind kind, string predictor, double relativeError)
    {
        if (double.IsNaN(relativeError)) return;
        if (!cells.TryGetValue((kind, predictor), out var cell))
            cells[(kind, predictor)] = cell = (new long[Bins], [0.0]);
        cell.Counts[Bin(relativeError)]++;
        if (relativeError > cell.Max[0] || double.IsInfinity(relativeError)) cell.Max[0] = relativeError;
    }

    /// <summary>Rows: kind, predictor, number of values, median, maximum.</summary>
    public IReadOnlyList<ErrorRow> Rows() => cells
        .OrderBy(c => c.Key.Item1).ThenBy(c => Array.IndexOf(Runs.TrajectorySchema.Predictions, c.Key.Item2))
        .Select(c => new ErrorRow(c.Key.Item1, c.Key.Item2, c.Value.Counts.Sum(), Math.Min(Median(c.Value.Counts), c.Value.Max[0]), c.Value.Max[0]))
        .ToList();

    /// <summary>The state as arrays, for checkpoints.</summary>
    public Dictionary<string, double[]> SaveState() => cells.ToDictionary(
        c => $"errors/{c.Key.Item1.Name()}/{c.Key.Item2}",
        c => c.Value.Counts.Select(n => (double)n).Append(c.Value.Max[0]).ToArray());

    /// <summary>Restores what <see cref="SaveState"/> wrote (entries under "errors/").</summary>
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        cells.Clear();
        foreach (var (key, values) in state)
        {
            var parts = key.Split('/');
            if (parts.Length != 3 || parts[0] != "errors") continue;
            if (values.Length != Bins + 1)
                throw new InvalidInputException($"checkpoint: tracker state '{key}': expected {Bins + 1} values, found {values.Length}");
            cells[(SymmetryKindNames.Parse(parts[1]), parts[2])] = (values[..Bins].Select(v => (long)v).ToArray(), [values[Bins]]);
        }
    }

    private static int Bin(double e)
    {
        if (!(e > 0)) return 0;
        double position = (Math.Log10(e) - LowestDecade) * BinsPerDecade;
        return position < 0 ? 0 : position >= Bins - 2 ? Bins - 1 : 1 + (int)position;
    }

    private static double BinCentre(int bin) => bin == 0 ? 0
        : Math.Pow(10, LowestDecade + (bin - 0.5) / BinsPerDecade);

    private static double Median(long[] counts)
    {
        long total = counts.Sum(), seen = 0;
        if (total == 0) return double.NaN;
        for (int b = 0; b < counts.Length; b++)
        {
            seen += counts[b];
            if (2 * seen >= total) return BinCentre(b);
        }
        return double.NaN;
    }
}

/// <summary>One line of the prediction-error table.</summary>
/// <param name="Kind">Symmetry kind.</param>
/// <param name="Predictor">gradient_flow, continuous or discrete.</param>
/// <param name="Count">Number of (group, logged step) values.</param>
/// <param name="Median">Median relative error.</param>
/// <param name="Max">Largest relative error.</param>
public sealed record ErrorRow(SymmetryKind Kind, string Predictor, long Count, double Median, double Max);
