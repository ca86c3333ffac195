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
    /// <summary>Last steps the measured angular speed is averaged over (it is noisy per batch).</summary>
    public const int Window = 50;

    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in runs)
        foreach (var layer in run.LayerSets(Kinds.Scale))
        {
            var measured = run.LayerSeries(Kinds.Scale, layer, TrajectorySchema.AngularSpeed);
            var theory = run.LayerSeries(Kinds.Scale, layer, TrajectorySchema.AngularSpeedTheory);
            if (measured.IsEmpty) continue;
            var speed = Learning.TrailingMean(measured.Values, Window);
            var stationary = theory.IsEmpty ? double.NaN : theory.Values[^1];
            rows.Add(
            [
                run.Name, layer, Labels.Scientific(speed), Labels.Scientific(stationary),
                stationary > 0 ? (speed / stationary).ToString("0.00", CultureInfo.InvariantCulture) : "—",
            ]);
        }
        if (rows.Count == 0) yield break;
        yield return new HeadingBlock(2, "Approach to equilibrium: angular speed");
        yield return new ParagraphBlock(
            $"Per run and BatchNorm-preceded layer: the measured angular speed |dθ/dt| / |θ| averaged over the last {Window} steps, the stationary " +
            "value √(2λ/η) (with momentum √(2λ/(η(1−α)(1+β)))) that the scale dynamics approach when weight decay and discretisation balance, and their ratio (1: at equilibrium; " +
            "above 1: still approaching it, over the order of 1/(ηλ) steps; \"—\": no stationary value, as without weight decay).");
        yield return new TableBlock(["run", "layer", $"angular speed (last {Window} steps)", "stationary √(2λ/η)", "measured / stationary"], rows, [false, false, true, true, true]);
    }
}
