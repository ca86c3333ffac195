using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Momentum runs (Fig. 6, 11–13): the same quantities as the SGD figures against the driven
/// damped oscillator, one panel per weight decay λ with the β values overlaid (a colour per β).
/// </summary>
internal static class OscillatorFigure
{
    /// <summary>Columns (translation) or layers (scale, rescale) drawn per run: few, as runs overlay.</summary>
    public const int Curves = 4;

    public static string Id(string kind) => $"oscillator-{kind}";

    public static string Title(string kind) => kind switch
    {
        "translation" => "Momentum, translation: column sums of the final layer (Fig. 6, Fig. 11)",
        "scale" => "Momentum, scale: layer squared norms (Fig. 12)",
        _ => "Momentum, rescale: differences of consecutive layers' squared norms (Fig. 13)",
    };

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder, string kind)
    {
        var translation = kind == Kinds.Translation;
        IReadOnlyList<string> Sets(ReportRun r) => translation
            ? r.FinalWeightTranslationSet() is { } set ? [set] : []
            : r.LayerSets(kind);
        var momentum = runs.Where(r => r.UsesMomentum && Sets(r).Count > 0).ToList();
        if (momentum.Count == 0)
            return ReportFigure.Skipped(Id(kind), Title(kind), runs.Any(r => r.UsesMomentum)
                ? $"no momentum run has {kind} data{(translation ? " for a final layer's weight in neurons/" : " in layers/")}"
                : "no run uses momentum (β > 0)");
        var panels = new List<Panel>();
        foreach (var (decay, members) in RunPanels.PerWeightDecayOverlaid(runs, momentum))
        {
            var panel = new Panel($"λ = {Labels.Number(decay)}", translation ? "column sum ⟨θ_A, 1⟩" : kind == Kinds.Scale
                ? "|θ_A|² (layer sum)" : "|θ_A1|² − |θ_A2|² (layer sum)");
            var label = "";
            foreach (var (run, colour) in members)
            {
                var curves = translation
                    ? Sampling.Evenly(run.Units(kind, Sets(run)[0]), Curves)
                        .Select(u => (Empirical: run.NeuronSeries(kind, Sets(run)[0], u, TrajectorySchema.Empirical), Prediction: run.NeuronPrediction(kind, Sets(run)[0], u)))
                    : Sampling.Evenly(Sets(run), Curves)
                        .Select(l => (Empirical: run.LayerSeries(kind, l, TrajectorySchema.Empirical), Prediction: run.LayerPrediction(kind, l)));
                var list = curves.ToList();
                for (var k = 0; k < list.Count; k++)
                {
                    panel.Empirical(list[k].Empirical, FigureStyle.Shade(FigureStyle.Category(colour), k, list.Count));
                    panel.Prediction(list[k].Prediction.Series);
                    label = list[k].Prediction.Label;
                }
                panel.LegendLine(members.Count(m => m.Run.Momentum == run.Momentum) > 1
                    ? $"β = {Labels.Number(run.Momentum)} ({run.Name})" : $"β = {Labels.Number(run.Momentum)}", FigureStyle.Category(colour));
            }
            panel.LegendPrediction(label);
            panels.Add(panel);
        }
        if (Readability.Unreadable(panels, translation ? "the per-neuron translation figures" : $"the change figure ({ChangeFigure.Id(kind)})") is { } unreadable)
            return ReportFigure.Skipped(Id(kind), Title(kind), unreadable);
        var what = translation
            ? $"up to {Curves} columns of the final layer's weight per run"
            : $"up to {Curves} layers per run, light to dark from early to late";
        var files = FigureFile.Save(Path.Combine(folder, Id(kind)), panels, RunPanels.Columns(panels.Count), FigureStyle.PanelWidth, FigureStyle.PanelHeight);
        return ReportFigure.Written(Id(kind), Title(kind),
            $"SGD with momentum: {what}, one colour per momentum β, runs of one weight decay overlaid; black dashed: the driven damped " +
            "oscillator (time η(1−α)·step). Large β pushes the dynamics into the underdamped regime, where the quantities oscillate.", files);
    }
}
