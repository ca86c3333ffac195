using System.Globalization;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The equilibrium of scale-invariant (BatchNorm-preceded) layers as the optimizer sets it, from
/// equilibrium/: the measured angular update per step against its equilibrium value (SGD √(2ηλ),
/// SGDM √(2ηλ(1−α)/(1+β)), AdamW √(2ηλ(1−β₁)/(1+β₁))) and the measured norm against the
/// equilibrium norm that the step's forcing implies (docs/design.md).
/// </summary>
internal static class EquilibriumTable
{
    /// <summary>Layers listed per run.</summary>
    public const int Layers = 4;

    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in runs)
        {
            var table = run.Equilibrium;
            if (table.RowCount == 0) continue;
            var (layer, update, theory, norm, equilibrium) = (table.Strings(TrajectorySchema.Layer), table.Doubles(TrajectorySchema.AngularUpdate),
                table.Doubles(TrajectorySchema.AngularUpdateTheory), table.Doubles(TrajectorySchema.Norm), table.Doubles(TrajectorySchema.EquilibriumNorm));
            var steps = table.Longs(TrajectorySchema.Step);
            var layers = layer.Distinct().ToList();
            foreach (var name in Sampling.Evenly(layers, Layers))
            {
                var at = Enumerable.Range(0, table.RowCount).Where(i => layer[i] == name).OrderBy(i => steps[i]).ToArray();
                double End(double[] column) => Learning.TrailingMean(at.Select(i => column[i]).Where(double.IsFinite).ToList(), Learning.TrailingSteps);
                double u = End(update), ut = End(theory), n = End(norm), ne = End(equilibrium);
                rows.Add([run.Name, name, Labels.Scientific(u), Labels.Scientific(ut), Ratio(u, ut), Labels.Scientific(n), Labels.Scientific(ne), Ratio(n, ne)]);
            }
        }
        if (rows.Count == 0) yield break;
        yield return new HeadingBlock(2, "Equilibrium of the scale-invariant layers");
        yield return new ParagraphBlock(
            $"Per run and BatchNorm-preceded layer (up to {Layers} per run), averaged over the last {Learning.TrailingSteps} steps (equilibrium/): the angular " +
            "update per step |Δθ_A|/|θ_A| and its equilibrium value (SGD √(2ηλ), SGDM √(2ηλ(1−α)/(1+β)), AdamW √(2ηλ(1−β₁)/(1+β₁)); none for Adam or " +
            "λ = 0), and the norm |θ_A| with the equilibrium norm that the measured forcing implies. The equilibrium is approached over the order " +
            "of 1/(ηλ) steps; a ratio near 1 says the layer is there.");
        yield return new TableBlock(["run", "layer", "angular update", "equilibrium", "ratio", "norm", "equilibrium norm", "ratio"], rows,
            [false, false, true, true, true, true, true, true]);
    }

    private static string Ratio(double measured, double theory) =>
        double.IsFinite(measured / theory) && theory > 0 ? (measured / theory).ToString("0.00", CultureInfo.InvariantCulture) : "—";
}
