using System.Globalization;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The approach to equilibrium, read rather than guessed from a figure: per run and scale layer,
/// the measured angular speed at the end of the run over its stationary value √(2λ/η) (layers/
/// columns angular_speed and angular_speed_theory). A ratio near 1 says the layer has reached the
/// balance of weight decay and discretisation; above 1, it is still on its way.
/// </summary>
internal static class AngularSpeedTable
{
    /// <summary>Most last steps the measured angular speed is averaged over (it is noisy per batch).</summary>
    public const int Window = 50;

    /// <summary>
    /// Steps averaged for a run of <paramref name="steps"/>: <see cref="Window"/>, or the last fifth of a
    /// shorter run, so the mean is of its end and not of its initial transient.
    /// </summary>
    public static int WindowOf(int steps) => Math.Min(Window, Math.Max(1, steps / 5));

    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs)
    {
        var measured = runs.Where(r => r.LayerSets(Kinds.Scale).Any(l => !r.LayerSeries(Kinds.Scale, l, TrajectorySchema.AngularSpeed).IsEmpty)).ToList();
        if (measured.Count == 0) yield break;
        // One row per run, one column per layer (in network order, the union over the runs).
        var layers = measured.SelectMany(r => r.LayerSets(Kinds.Scale)).Distinct().ToList();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in measured)
        {
            var stationary = double.NaN;
            var cells = new List<string>();
            foreach (var layer in layers)
            {
                var speed = run.LayerSeries(Kinds.Scale, layer, TrajectorySchema.AngularSpeed);
                var theory = run.LayerSeries(Kinds.Scale, layer, TrajectorySchema.AngularSpeedTheory);
                if (!theory.IsEmpty) stationary = theory.Values[^1];
                var ratio = speed.IsEmpty || theory.IsEmpty || !(theory.Values[^1] > 0)
                    ? double.NaN : Learning.TrailingMean(speed.Values, WindowOf(speed.Count)) / theory.Values[^1];
                cells.Add(double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "—");
            }
            rows.Add([run.Name, Labels.Scientific(stationary), .. cells]);
        }
        yield return new HeadingBlock(2, "Approach to equilibrium: angular speed");
        yield return new ParagraphBlock(
            $"Per run and BatchNorm-preceded layer: the measured angular speed |dθ/dt| / |θ| averaged over the last {Window} steps (the last fifth " +
            $"of a run shorter than {5 * Window} steps), divided by the " +
            "stationary value √(2λ/η) (with momentum √(2λ/(η(1−α)(1+β)))) that the scale dynamics approach when weight decay and discretisation " +
            "balance. 1: at equilibrium; above 1: still approaching it, which takes of the order of 1/(ηλ) steps; \"—\": no stationary value " +
            "(no weight decay) or no measurement.");
        yield return new TableBlock(["run", "stationary", .. layers], rows, [false, true, .. layers.Select(_ => true)]);
    }
}
