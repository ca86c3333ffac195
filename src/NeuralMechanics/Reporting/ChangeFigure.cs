namespace NeuralMechanics.Reporting;

/// <summary>
/// The change of each kind's layer sums since t = 0, measured against each law: a row per run (SGD
/// and momentum alike), a panel per layer, so each layer's change has an axis of its own however
/// small it is against the value or against another layer's. Gradient flow's conservation is the
/// zero line, the continuous law dashed, the exact discrete law dotted. Drawn relative to the size
/// at t = 0, so the numbers compare across layers and runs.
/// </summary>
internal static class ChangeFigure
{
    /// <summary>Layers drawn per run.</summary>
    public const int Layers = 4;

    public static string Id(string kind) => $"change-{kind}";

    public static string Title(string kind) => kind switch
    {
        "translation" => "Translation: change of the layer sums Σ_A θ since t = 0, measured and predicted",
        "scale" => "Scale: change of the layers' squared norms |θ_A|² since t = 0, measured and predicted",
        _ => "Rescale: change of |θ_A1|² − |θ_A2|² since t = 0, measured and predicted",
    };

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder, string kind)
    {
        var with = runs.Where(r => r.LayerSets(kind).Count > 0).ToList();
        if (with.Count == 0)
            return ReportFigure.Skipped(Id(kind), Title(kind), $"no run has {kind} rows in layers/ (the models have no {kind} symmetry, or nothing was logged)");
        var columns = with.Max(r => Math.Min(Layers, r.LayerSets(kind).Count));
        if (with.All(r => Sampling.Evenly(r.LayerSets(kind), Layers).All(l => Change.OfLayer(r, kind, l, relative: true).WithinRounding)))
            return ReportFigure.Skipped(Id(kind), Title(kind),
                $"every layer's {kind} change stays within float32 rounding (|ΔQ| ≤ ε₃₂ × terms ≈ {Labels.Scientific(Change.Float32Epsilon)} of the terms) " +
                "at every step: the quantity is conserved to the precision of the parameters, and a plot would show only rounding");
        var panels = new List<Panel>();
        foreach (var run in with)
        {
            var layers = Sampling.Evenly(run.LayerSets(kind), Layers);
            for (var k = 0; k < columns; k++)
            {
                // A run with fewer layers leaves the rest of its row empty, so each run starts a row.
                if (k >= layers.Count)
                {
                    panels.Add(Panel.Blank());
                    continue;
                }
                panels.Add(LayerPanel(run, with, kind, layers[k], layers[k], k));
            }
        }
        var files = FigureFile.Save(Path.Combine(folder, Id(kind)), panels, columns, FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight + 40);
        return ReportFigure.Written(Id(kind), Title(kind),
            $"One row per run ({string.Join("; ", with.Select(r => $"{r.Name}: {Settings(r)}"))}), one panel per layer (up to {Layers}, first to last): " +
            $"the {kind} quantity of the layer (the sum over its groups, from layers/) minus its value at the first " +
            "step, divided by the layer's terms at that step (Σ_A|θ| for translation, |θ_A|² for scale, so Q(t)/Q(0) − 1, and |θ_A1|² + |θ_A2|² " +
            "for rescale; the size the relative errors are measured against). Solid: measured. Black dashed: the continuous law " +
            $"({Labels.ContinuousPrediction(kind, false)}; with momentum the {Labels.ContinuousPrediction(kind, true)}); black dotted: the exact " +
            "discrete law (eq. 39–41; with momentum its extension in docs/design.md)." + NoContinuousLaw(with) + " Grey at 0: " +
            "gradient flow, which conserves the quantity; the distance of the measured curve from it is the broken conservation. " +
            RoundingCaption, files);
    }

    /// <summary>For the caption: the runs whose optimizer has no continuous law draw no dashed line, and their dotted line is the optimizer's own law.</summary>
    internal static string NoContinuousLaw(IReadOnlyList<ReportRun> runs)
    {
        var without = runs.Where(r => r.Theory.ContinuousLaw is null).ToList();
        return without.Count == 0 ? "" : " " + string.Join(" ", without.GroupBy(r => r.Theory.Optimizer).Select(g =>
            $"{string.Join(", ", g.Select(r => r.Name))} ({g.Key}): no continuous law applies, so no dashed line; dotted: the {g.First().Theory.DiscreteLaw}."));
    }

    /// <summary>What the grey band of the change panels is (for captions).</summary>
    public const string RoundingCaption =
        "Light grey band around 0: the rounding floor ±ε₃₂ × terms (ε₃₂ = 2⁻²³), the most that representing the parameters in float32 " +
        "moves the quantity; a change inside it is rounding, and a panel whose curves all stay inside it says so instead of drawing them.";

    /// <summary>
    /// One set's relative change (Q(t) − Q(0)) / terms(0) against the continuous and exact discrete
    /// laws, with gradient flow's zero line, titled <paramref name="label"/> and the run's short name.
    /// </summary>
    public static Panel LayerPanel(ReportRun run, IReadOnlyList<ReportRun> runs, string kind, string layer, string label, int colour)
    {
        var panel = new Panel($"{label} · {RunPanels.ShortName(run, runs)}", Change.RelativeLabel);
        var change = Change.OfLayer(run, kind, layer, relative: true);
        if (change.EmptyReason is { } empty)
        {
            panel.EmptyNote = empty;
            return panel;
        }
        if (change.WithinRounding)
        {
            panel.EmptyNote = change.RoundingNote(relative: true);
            return panel;
        }
        panel.HorizontalLine(0);
        panel.RoundingBand(change.Floor);
        panel.Add(change.Empirical, FigureStyle.Category(colour), Panel.Style.Solid);
        panel.Add(change.Continuous, FigureStyle.Prediction, Panel.Style.Dashed);
        panel.Add(change.Discrete, FigureStyle.Prediction, Panel.Style.Dotted);
        panel.LegendLine("measured", FigureStyle.Category(colour));
        Legend(panel, change, run.UsesMomentum, run.Theory.DiscreteLawShort);
        return panel;
    }

    /// <summary>
    /// The legend of a change panel: only the laws drawn, the dotted one named by the run's optimizer
    /// (Adam's, AdamW's, Lion's update identity; SGD's exact recurrence).
    /// </summary>
    public static void Legend(Panel panel, Change change, bool momentum, string discreteLaw)
    {
        if (!change.Continuous.IsEmpty) panel.LegendLine(momentum ? "oscillator" : "modified flow", FigureStyle.Prediction, Panel.Style.Dashed);
        if (!change.Discrete.IsEmpty) panel.LegendLine(discreteLaw, FigureStyle.Prediction, Panel.Style.Dotted);
        panel.LegendLine("gradient flow", ScottPlot.Colors.Gray, Panel.Style.Reference);
    }

    /// <summary>λ, and β with momentum, as a panel title shows them.</summary>
    public static string Settings(ReportRun run) =>
        $"η = {Labels.Number(run.Manifest.Optimizer.LearningRate)}, λ = {Labels.Number(run.WeightDecay)}" +
        (run.UsesMomentum ? $", β = {Labels.Number(run.Momentum)}" : "");
}
