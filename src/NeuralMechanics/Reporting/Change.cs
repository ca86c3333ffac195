using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The change of a quantity since the first logged step, measured and predicted: X(t) − Q(0) for
/// the empirical value and each prediction X, optionally divided by terms(0), the size the
/// relative error is measured against (for scale terms = Q, so the change reads Q(t)/Q(0) − 1).
/// Gradient flow predicts no change, so it is the zero line; a short run's broken conservation and
/// the match of each law are visible however small the change is against the value.
/// </summary>
/// <param name="Empirical">Measured change.</param>
/// <param name="Continuous">Change the continuous law predicts (empty where it does not apply).</param>
/// <param name="Discrete">Change the exact discrete law predicts (empty where it does not apply).</param>
/// <param name="Final">The measured change at the last logged step (NaN for no data).</param>
internal sealed record Change(Series Empirical, Series Continuous, Series Discrete, double Final)
{
    /// <summary>The y-axis label of a relative change.</summary>
    public const string RelativeLabel = "(Q(t) − Q(0)) / terms(0)";

    /// <summary>The y-axis label of an absolute change.</summary>
    public const string AbsoluteLabel = "Q(t) − Q(0)";

    /// <summary>The change of a layers/ set (sums over its groups).</summary>
    public static Change OfLayer(ReportRun run, string kind, string layer, bool relative) =>
        From(column => run.LayerSeries(kind, layer, column), relative);

    /// <summary>The change of a layers/ set against the step (for runs whose η differ).</summary>
    public static Change OfLayerByStep(ReportRun run, string kind, string layer, bool relative) =>
        From(column => run.LayerSeriesByStep(kind, layer, column), relative);

    /// <summary>The change of one group of a neurons/ set.</summary>
    public static Change OfNeuron(ReportRun run, string kind, string layer, int unit, bool relative) =>
        From(column => run.NeuronSeries(kind, layer, unit, column), relative);

    private static Change From(Func<string, Series> column, bool relative)
    {
        var empirical = column(TrajectorySchema.Empirical);
        var terms = column(TrajectorySchema.Terms);
        if (empirical.IsEmpty) return new Change(empirical, empirical, empirical, double.NaN);
        var start = empirical.Values[0];
        var size = relative ? (terms.IsEmpty || !(terms.Values[0] > 0) ? double.NaN : terms.Values[0]) : 1;
        Series Of(Series s) => s.Map(v => (v - start) / size).Finite();
        var measured = Of(empirical);
        return new Change(measured, Of(column(TrajectorySchema.Continuous)), Of(column(TrajectorySchema.Discrete)),
            measured.IsEmpty ? double.NaN : measured.Values[^1]);
    }
}
