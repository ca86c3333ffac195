using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Per-neuron dynamics of one run (Fig. 14–17): a grid of a few units of a few layers of one kind
/// (scale or rescale), each against its own prediction.
/// </summary>
internal static class NeuronFigure
{
    public const int Layers = 3;
    public const int UnitsPerLayer = 3;

    public static string Id(ReportRun run, string kind) => $"neurons-{kind}-{Labels.FileName(run.Name)}";

    /// <summary>The figure, or null when the run logged no groups of <paramref name="kind"/>.</summary>
    public static ReportFigure? Build(ReportRun run, string folder, string kind)
    {
        var layers = Sampling.Evenly(run.NeuronSets(kind), Layers);
        if (layers.Count == 0) return null;
        var yLabel = kind == Kinds.Scale ? "|θ_A|²" : "|θ_A1|² − |θ_A2|²";
        var panels = new List<Panel>();
        for (var row = 0; row < layers.Count; row++)
        foreach (var (unit, column) in Sampling.Evenly(run.Units(kind, layers[row]), UnitsPerLayer).Select((u, c) => (u, c)))
        {
            var panel = new Panel($"{layers[row]} · unit {unit}", yLabel);
            panel.Empirical(run.NeuronSeries(kind, layers[row], unit, TrajectorySchema.Empirical), FigureStyle.Category(row));
            var (prediction, label) = run.NeuronPrediction(kind, layers[row], unit);
            panel.Prediction(prediction);
            // One legend per row: the panels of a row share colour and predictor.
            if (column == 0)
            {
                panel.LegendLine($"{layers[row]} (empirical)", FigureStyle.Category(row));
                panel.LegendPrediction(label);
            }
            panels.Add(panel);
        }
        var figure = kind == Kinds.Scale ? (run.UsesMomentum ? "Fig. 16" : "Fig. 14") : (run.UsesMomentum ? "Fig. 17" : "Fig. 15");
        var settings = $"λ = {Labels.Number(run.WeightDecay)}{(run.UsesMomentum ? $", β = {Labels.Number(run.Momentum)}" : "")}";
        var files = FigureFile.Save(Path.Combine(folder, Id(run, kind)), panels, UnitsPerLayer, FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight);
        return ReportFigure.Written(Id(run, kind), $"Per-neuron {kind} dynamics ({figure}): {run.Name}",
            $"Run {run.Name} ({settings}): the {kind} quantity of {UnitsPerLayer} units of each of up to {Layers} layers (one row per layer), " +
            "empirical in colour, prediction black dashed.", files);
    }
}
