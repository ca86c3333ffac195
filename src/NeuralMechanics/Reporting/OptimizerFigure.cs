using NeuralMechanics.Training;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The same model under different optimizers (SGD against Adam/AdamW): each translation and rescale
/// layer sum's change since t = 0, one colour per run, with each run's exact discrete prediction
/// dotted on it. Gradient flow's conservation is the zero line. SGD at λ = 0 stays on it up to η²
/// terms; Adam's preconditioner, not a multiple of the identity, moves the quantities even at λ = 0.
/// </summary>
internal static class OptimizerFigure
{
    public const string Id = "optimizers";
    public const string Title = "Translation and rescale under different optimizers on the same model";

    /// <summary>Layers drawn per kind.</summary>
    public const int Layers = 2;

    private static readonly string[] DrawnKinds = [Kinds.Translation, Kinds.Rescale];

    public static ReportFigure Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        // Runs of one model (name and options) that between them use more than one update rule.
        var group = runs.GroupBy(r => (r.Manifest.Model, Options: string.Join(",", r.Manifest.ModelOptions.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"))))
            .Select(g => g.ToList())
            .Where(g => g.Select(r => r.Manifest.Optimizer.Kind).Distinct().Count() > 1)
            .OrderByDescending(g => g.Count).FirstOrDefault();
        if (group is null)
            return ReportFigure.Skipped(Id, Title, "needs runs of one model with different optimizers (e.g. --optimizer sgd and --optimizer adam)");
        var panels = new List<Panel>();
        foreach (var kind in DrawnKinds)
        {
            var layers = group.SelectMany(r => r.LayerSets(kind)).Distinct().ToList();
            foreach (var layer in Sampling.Evenly(layers, Layers))
            {
                // Against the step: Adam's η is not SGD's, so their times do not line up.
                var panel = new Panel($"{kind} · {layer}", Change.RelativeLabel) { XLabel = "step" };
                panel.HorizontalLine(0);
                for (int i = 0; i < group.Count; i++)
                {
                    var change = Change.OfLayerByStep(group[i], kind, layer, relative: true);
                    panel.Add(change.Empirical, FigureStyle.Category(i), Panel.Style.Solid);
                    panel.Add(change.Discrete, FigureStyle.Prediction, Panel.Style.Dotted);
                    panel.LegendLine(Label(group[i]), FigureStyle.Category(i));
                }
                panel.LegendLine("discrete", FigureStyle.Prediction, Panel.Style.Dotted);
                panel.LegendLine("gradient flow", ScottPlot.Colors.Gray, Panel.Style.Reference);
                panels.Add(panel);
            }
        }
        if (panels.Count == 0)
            return ReportFigure.Skipped(Id, Title, $"{string.Join(", ", group.Select(r => r.Name))}: no translation or rescale rows in layers/");
        var files = FigureFile.Save(Path.Combine(folder, Id), panels, RunPanels.Columns(panels.Count), FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight + 40);
        return ReportFigure.Written(Id, Title,
            $"Runs of {group[0].Manifest.Model} ({string.Join("; ", group.Select(r => $"{r.Name}: {Label(r)}"))}), a panel per kind and layer (up to {Layers} each), against the step: " +
            "the layer's quantity (sum over its groups) minus its value at the first step, over its terms there. Solid: measured, one colour per run; " +
            "black dotted: each run's exact discrete law (SGD: eq. 39–41 and its momentum extension; Adam/AdamW: the exact update identity " +
            "Q' = Q + 2⟨θ, Δθ⟩ + |Δθ|², docs/design.md). Grey at 0: gradient flow, which conserves the quantity: the farther a run's curve from it, " +
            "the more its optimizer breaks the conservation law.", files);
    }

    private static string Label(ReportRun run)
    {
        var o = run.Manifest.Optimizer;
        return $"{o.Kind.Name()}, η = {Labels.Number(o.LearningRate)}, λ = {Labels.Number(o.WeightDecay)}" + (o.Momentum > 0 ? $", β = {Labels.Number(o.Momentum)}" : "");
    }
}
