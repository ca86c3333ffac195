using NeuralMechanics.Runs;
using ScottPlot;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Fig. 1 of one run: a sample of raw parameters (samples/) beside the per-channel squared norms
/// (neurons/ rows of kind scale, or rescale when the model has no scale symmetry), coloured by layer.
/// Parameters are noisy; the neuron-level quantities are smooth.
/// </summary>
internal static class ParameterFigure
{
    public const string Title = "Parameters against neuron-level quantities (Fig. 1)";
    /// <summary>Channels drawn per layer in the right panel.</summary>
    public const int UnitsPerLayer = 8;
    /// <summary>Most layers named one by one in a legend.</summary>
    public const int LegendLayers = 14;

    public static string Id(ReportRun run) => $"parameters-{Labels.FileName(run.Name)}";

    /// <summary>The figure, or null when the run has no samples/ table or no per-channel norms.</summary>
    public static ReportFigure? Build(ReportRun run, string folder)
    {
        var sampled = run.SampledParameters();
        var kind = run.NeuronSets(Kinds.Scale).Count > 0 ? Kinds.Scale : Kinds.Rescale;
        var sets = run.NeuronSets(kind);
        if (sampled.Count == 0 || sets.Count == 0) return null;
        var layers = sampled.Select(s => s.Layer).Concat(sets).Distinct().ToList();
        Color ColourOf(string layer) => new ScottPlot.Colormaps.Turbo().GetColor(0.08 + 0.84 * layers.IndexOf(layer) / Math.Max(1, layers.Count - 1));

        var left = new Panel($"{sampled.Count} sampled parameters · {run.Name}", "parameter value θ");
        foreach (var (layer, parameter, index) in sampled) left.Empirical(run.SampleSeries(parameter, index), ColourOf(layer));
        var right = new Panel($"per-channel {(kind == Kinds.Scale ? "|θ_A|²" : "|θ_A1|² − |θ_A2|²")} · {run.Name}",
            kind == Kinds.Scale ? "squared channel norm" : "difference of squared norms") { LegendOutside = true };
        foreach (var layer in sets)
        foreach (var unit in Sampling.Evenly(run.Units(kind, layer), UnitsPerLayer))
            right.Empirical(run.NeuronSeries(kind, layer, unit, TrajectorySchema.Empirical), ColourOf(layer));
        foreach (var layer in Sampling.Evenly(layers, LegendLayers)) right.LegendLine(layer, ColourOf(layer));

        var files = FigureFile.Save(Path.Combine(folder, Id(run)), [left, right], 2, FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        return ReportFigure.Written(Id(run), $"{Title}: {run.Name}",
            $"Left: raw parameter values from samples/ (a fixed sample, coloured by layer). Right: the per-channel {kind} quantity of up to " +
            $"{UnitsPerLayer} channels per layer from neurons/, same colours. The parameters move erratically; the neuron-level " +
            "combinations the symmetries single out evolve smoothly.", files);
    }
}
