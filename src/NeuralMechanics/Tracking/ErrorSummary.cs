using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The one definition of a prediction's relative error (<see cref="RelativeError"/>) and its
/// streaming median and maximum, per symmetry kind and predictor, over groups and logged steps.
/// <c>train</c>'s console table (from the tracker) and the report (from neurons/) both use it, so they
/// print the same numbers for the same run. A log-spaced histogram (40 bins per decade from 1e-18 to
/// 1e3) keeps the memory fixed whatever the run's length; the median is exact to within half a
/// bin (3 %), the maximum exactly.
/// </summary>
public sealed class ErrorSummary
{
    private const double LowestDecade = -18, HighestDecade = 3;
    private const int BinsPerDecade = 40;
    private static readonly int Bins = (int)((HighestDecade - LowestDecade) * BinsPerDecade) + 2;

    private readonly Dictionary<(SymmetryKind, string), (long[] Counts, double[] Max)> cells = new();

    /// <summary>
    /// |prediction − empirical| / terms, where terms is the size of the quantity's terms (the
    /// <c>terms</c> column: Σ_A|θ| for translation, |θ_A|² for scale, |θ_A1|² + |θ_A2|² for rescale),
    /// not the quantity itself, which can pass through zero (rescale, translation). NaN, and so not
    /// counted, at step 0 (every prediction starts at the measured value, an error of 0 by construction),
    /// where the prediction or the measurement is NaN (does not apply, or a diverged run) and where terms
    /// is not a positive finite number. An exact prediction is 0 even when both are infinite.
    /// </summary>
    public static double RelativeError(long step, double prediction, double empirical, double terms)
    {
        if (step <= 0 || double.IsNaN(prediction) || double.IsNaN(empirical) || !(terms > 0) || double.IsInfinity(terms)) return double.NaN;
        return prediction == empirical ? 0 : Math.Abs(prediction - empirical) / terms;
    }

    /// <summary>Adds the <see cref="RelativeError"/> of one prediction of one group at one logged step.</summary>
    public void Add(SymmetryKind kind, string predictor, long step, double prediction, double empirical, double terms) =>
        Add(kind, predictor, RelativeError(step, prediction, empirical, terms));

    /// <summary>Adds one relative error, computed as <see cref="RelativeError"/> does; NaN (not counted) is ignored.</summary>
    public void Add(SymmetryKind kind, string predictor, double relativeError)
    {
        if (double.IsNaN(relativeError)) return;
        Add(Cell(kind, predictor), relativeError);
    }

    /// <summary>
    /// Adds the <see cref="RelativeError"/> of each group's prediction at one logged step (NaN
    /// predictions skipped), as many <see cref="Add(SymmetryKind, string, long, double, double, double)"/> calls would.
    /// </summary>
    internal void AddAll(SymmetryKind kind, string predictor, long step, double[]? predictions, double[] empirical, double[] terms)
    {
        if (step <= 0 || predictions is null) return;
        (long[] Counts, double[] Max)? cell = null;
        for (int u = 0; u < empirical.Length; u++)
        {
            double e = RelativeError(step, predictions[u], empirical[u], terms[u]);
            if (double.IsNaN(e)) continue;
            cell ??= Cell(kind, predictor);
            Add(cell.Value, e);
        }
    }

    private (long[] Counts, double[] Max) Cell(SymmetryKind kind, string predictor)
    {
        if (!cells.TryGetValue((kind, predictor), out var cell))
            cells[(kind, predictor)] = cell = (new long[Bins], [0.0]);
        return cell;
    }

    private static void Add((long[] Counts, double[] Max) cell, double relativeError)
    {
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

    // The middle value for an odd count, the mean of the two middle values for an even one, each
    // read as the geometric centre of its bin: within half a bin (3 %) of the exact median's terms.
    private static double Median(long[] counts)
    {
        long total = counts.Sum();
        if (total == 0) return double.NaN;
        return (BinCentre(BinOfRank(counts, (total + 1) / 2)) + BinCentre(BinOfRank(counts, total / 2 + 1))) / 2;
    }

    // The bin holding the value of 1-based rank <paramref name="rank"/> in ascending order.
    private static int BinOfRank(long[] counts, long rank)
    {
        long seen = 0;
        for (int b = 0; b < counts.Length; b++)
        {
            seen += counts[b];
            if (seen >= rank) return b;
        }
        return counts.Length - 1;
    }
}

/// <summary>One line of the prediction-error table.</summary>
/// <param name="Kind">Symmetry kind.</param>
/// <param name="Predictor">gradient_flow, continuous or discrete.</param>
/// <param name="Count">Number of (group, logged step) values.</param>
/// <param name="Median">Median relative error.</param>
/// <param name="Max">Largest relative error.</param>
public sealed record ErrorRow(SymmetryKind Kind, string Predictor, long Count, double Median, double Max);
