using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;

namespace NeuralMechanics.Reporting;

/// <summary>The prediction errors of a run, from its neurons/ table, by the one definition <see cref="ErrorSummary.RelativeError"/>.</summary>
internal static class PredictionErrors
{
    /// <summary>
    /// For every kind and predictor with at least one counted value: the median and maximum of the
    /// relative error over groups and logged steps, summarised by <see cref="ErrorSummary"/> exactly as
    /// the tracker summarises them for <c>train</c>'s console table, so both print the same numbers.
    /// </summary>
    public static IReadOnlyList<PredictionErrorRow> Of(ReportRun run)
    {
        var table = run.Neurons;
        if (table.RowCount == 0) return [];
        var (steps, kinds) = (table.Longs(TrajectorySchema.Step), table.Strings(TrajectorySchema.Kind));
        var (empirical, terms) = (table.Doubles(TrajectorySchema.Empirical), table.Doubles(TrajectorySchema.Terms));
        var predictions = TrajectorySchema.Predictions.Select(p => (Name: p, Values: table.Doubles(p))).ToList();
        var summary = new ErrorSummary();
        var parsed = new Dictionary<string, SymmetryKind>();
        for (var i = 0; i < table.RowCount; i++)
        {
            if (!parsed.TryGetValue(kinds[i], out var kind)) parsed[kinds[i]] = kind = SymmetryKindNames.Parse(kinds[i]);
            foreach (var (name, values) in predictions)
                summary.Add(kind, name, steps[i], values[i], empirical[i], terms[i]);
        }
        return summary.Rows().Select(r => new PredictionErrorRow(r.Kind.Name(), r.Predictor, r.Median, r.Max, run.Name, r.Count)).ToList();
    }

    /// <summary>
    /// The median over the groups of a kind of the relative error of <paramref name="predictor"/> at
    /// each logged step, against time; steps where no value counts are left out.
    /// </summary>
    public static Series OverTime(ReportRun run, string kind, string predictor)
    {
        var table = run.Neurons;
        if (table.RowCount == 0) return new Series([], []);
        var (steps, kinds) = (table.Longs(TrajectorySchema.Step), table.Strings(TrajectorySchema.Kind));
        var (empirical, terms, prediction) = (table.Doubles(TrajectorySchema.Empirical), table.Doubles(TrajectorySchema.Terms), table.Doubles(predictor));
        var perStep = new SortedDictionary<long, List<double>>();
        for (var i = 0; i < table.RowCount; i++)
        {
            if (kinds[i] != kind) continue;
            var error = ErrorSummary.RelativeError(steps[i], prediction[i], empirical[i], terms[i]);
            if (double.IsNaN(error)) continue;
            if (!perStep.TryGetValue(steps[i], out var list)) perStep[steps[i]] = list = [];
            list.Add(error);
        }
        return new Series(perStep.Keys.Select(run.Time).ToArray(), perStep.Values.Select(OrderStatistics.Median).ToArray());
    }
}
