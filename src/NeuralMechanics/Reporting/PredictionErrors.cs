using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>The prediction-error table of a run, from its neurons/ table.</summary>
internal static class PredictionErrors
{
    /// <summary>
    /// For every kind and predictor with at least one applicable value: the median and maximum of
    /// |prediction − empirical| / terms over groups and logged steps. Rows whose prediction,
    /// empirical value or terms is NaN (not applicable, or a diverged run) are left out; an exact
    /// prediction of a zero quantity (0/0) counts as error 0.
    /// </summary>
    public static IReadOnlyList<PredictionErrorRow> Of(ReportRun run)
    {
        var table = run.Neurons;
        var rows = new List<PredictionErrorRow>();
        if (table.RowCount == 0) return rows;
        var kinds = table.Strings(TrajectorySchema.Kind);
        var empirical = table.Doubles(TrajectorySchema.Empirical);
        var terms = table.Doubles(TrajectorySchema.Terms);
        foreach (var kind in Kinds.All)
        foreach (var predictor in TrajectorySchema.Predictions)
        {
            var prediction = table.Doubles(predictor);
            var errors = new List<double>();
            for (var i = 0; i < table.RowCount; i++)
            {
                if (kinds[i] != kind || double.IsNaN(prediction[i]) || double.IsNaN(empirical[i]) || double.IsNaN(terms[i])) continue;
                var difference = Math.Abs(prediction[i] - empirical[i]);
                errors.Add(difference == 0 ? 0 : difference / terms[i]);
            }
            if (errors.Count == 0) continue;
            rows.Add(new PredictionErrorRow(kind, predictor, OrderStatistics.Median(errors), errors.Max(), run.Name, errors.Count));
        }
        return rows;
    }
}
