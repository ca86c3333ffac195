namespace NeuralMechanics.Reporting;

/// <summary>
/// Per-neuron dynamics of one run (Fig. 1 right, 5, 14–17): for a few layers of one kind, the
/// groups with the largest relative change over the run, each in its own panel as its change
/// Q(t) − Q(0) against the continuous and the exact discrete law, gradient flow as the zero line.
/// Single neurons are where the laws hold; a panel of its own gives each one a readable axis.
/// </summary>
internal static class NeuronFigure
{
    public const int Layers = 3;
    public const int UnitsPerLayer = 3;

    public static string Id(ReportRun run, string kind) => $"neurons-{kind}-{Labels.FileName(run.Name)}";

    /// <summary>The figure's title without the run.</summary>
    public static string Title(string kind) => kind switch
    {
        "translation" => "Per-neuron translation dynamics (Fig. 5 top)",
        "scale" => "Per-neuron scale dynamics (Fig. 1, 14, 16)",
        _ => "Per-neuron rescale dynamics (Fig. 15, 17)",
    };

    /// <summary>
    /// Up to <see cref="Layers"/> sets, evenly from first to last; for translation the final layer's weight
    /// first (its column sums are the paper's Fig. 5 top), then the other sets evenly.
    /// </summary>
    public static IReadOnlyList<string> Sets(ReportRun run, string kind)
    {
        var sets = run.NeuronSets(kind);
        if (kind != Kinds.Translation || run.FinalWeightTranslationSet() is not { } final) return Sampling.Evenly(sets, Layers);
        return [final, .. Sampling.Evenly(sets.Where(s => s != final).ToList(), Layers - 1)];
    }

    /// <summary>The <see cref="UnitsPerLayer"/> groups of a set with the largest |relative change| over the run (ties: lower unit first), with that change.</summary>
    public static IReadOnlyList<(int Unit, double Change)> LargestChanges(ReportRun run, string kind, string layer) =>
        run.UnitChanges(kind, layer).OrderByDescending(p => Math.Abs(p.Value)).ThenBy(p => p.Key)
            .Take(UnitsPerLayer).Select(p => (p.Key, p.Value)).ToList();

    /// <summary>The figure, or null when the run logged no groups of <paramref name="kind"/>.</summary>
    public static ReportFigure? Build(ReportRun run, string folder, string kind)
    {
        var layers = Sets(run, kind);
        if (layers.Count == 0) return null;
        var panels = new List<Panel>();
        for (var row = 0; row < layers.Count; row++)
        {
            var units = LargestChanges(run, kind, layers[row]);
            for (var column = 0; column < units.Count; column++)
            {
                var (unit, relative) = units[column];
                var panel = new Panel($"{layers[row]} · unit {unit} · Δ/terms(0) = {Labels.Scientific(relative)}", Change.AbsoluteLabel);
                var change = Change.OfNeuron(run, kind, layers[row], unit, relative: false);
                if ((change.EmptyReason ?? (change.WithinRounding ? change.RoundingNote(relative: false) : null)) is { } note)
                {
                    panel.EmptyNote = note;
                    panels.Add(panel);
                    continue;
                }
                panel.HorizontalLine(0);
                panel.RoundingBand(change.Floor);
                panel.Add(change.Empirical, FigureStyle.Category(row), Panel.Style.Solid);
                panel.Add(change.Continuous, FigureStyle.Prediction, Panel.Style.Dashed);
                panel.Add(change.Discrete, FigureStyle.Prediction, Panel.Style.Dotted);
                // A legend in every panel keeps the plot areas of a row the same size.
                panel.LegendLine("measured", FigureStyle.Category(row));
                // Only the laws drawn, the dotted one named by the run's optimizer (AdamW: its update identity).
                if (!change.Continuous.IsEmpty) panel.LegendLine("continuous", FigureStyle.Prediction, Panel.Style.Dashed);
                if (!change.Discrete.IsEmpty) panel.LegendLine(run.Theory.DiscreteLawShort, FigureStyle.Prediction, Panel.Style.Dotted);
                panels.Add(panel);
            }
        }
        if (panels.Count == 0) return null;
        if (panels.All(p => p.IsEmpty))
            return ReportFigure.Skipped(Id(run, kind), $"{Title(kind)}: {run.Name}",
                $"the groups with the largest change have nothing to draw: {panels[0].EmptyNote.TrimEnd('.')}");
        var settings = ChangeFigure.Settings(run);
        var files = FigureFile.Save(Path.Combine(folder, Id(run, kind)), panels, UnitsPerLayer, FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight);
        return ReportFigure.Written(Id(run, kind), $"{Title(kind)}: {run.Name}",
            $"Run {run.Name} ({settings}): per row one of up to {Layers} layers, the {UnitsPerLayer} groups (neurons) with the largest relative change " +
            $"|Q(T) − Q(0)| / terms(0) over the run (in each title). Each panel: the group's change Q(t) − Q(0) (measured, solid), " +
            (run.Theory.ContinuousLaw is null
                ? $"and, black dotted, {run.Theory.Optimizer}'s {run.Theory.DiscreteLaw} (no continuous law applies to it); grey at 0, "
                : $"the continuous law ({Labels.ContinuousPrediction(kind, run.UsesMomentum)}, black dashed) and the exact discrete law (black dotted); grey at 0, ") +
            "gradient flow's conservation. " + ChangeFigure.RoundingCaption, files);
    }
}
