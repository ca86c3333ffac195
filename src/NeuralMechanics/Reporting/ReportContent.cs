using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The report's blocks, in order: training (did the runs learn), runs and settings, figures,
/// prediction errors, angular speeds, symmetry counts, run details.
/// </summary>
internal static class ReportContent
{
    public static IReadOnlyList<ReportBlock> Build(IReadOnlyList<ReportRun> runs, IReadOnlyList<ReportFigure> figures,
        IReadOnlyList<PredictionErrorRow> errors, IReadOnlyList<string> skippedInputs)
    {
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(1, "Neural mechanics report"),
            new ParagraphBlock($"{runs.Count} run{(runs.Count == 1 ? "" : "s")}: symmetry-protected quantities measured during training " +
                "against the predictions of Kunin et al., \"Neural Mechanics\" (ICLR 2021). Time is Σηₖ over the steps so far (η·step at a constant rate), times (1−α) with momentum. " +
                "First whether the runs learned, then their settings, the figures, the prediction errors, the angular speeds, the symmetry counts " +
                "and the remaining run details."),
        };
        if (skippedInputs.Count > 0) blocks.Add(new ListBlock(skippedInputs));
        var training = figures.First(f => f.Id == TrainingFigure.Id);
        blocks.AddRange(TrainingSection.Blocks(runs, training));
        blocks.AddRange(
        [
            new HeadingBlock(2, "Runs and settings"),
            new TableBlock(["run", "model", "data", "optimizer", "η", "λ", "batch", "steps", "status"],
                runs.Select(Settings).ToList(),
                [false, false, false, false, true, true, true, true, false]),
            new HeadingBlock(2, "Figures"),
            new ParagraphBlock("Measured curves solid in colour; the continuous law black dashed, the exact discrete law black dotted (in the " +
                "change and per-neuron figures; elsewhere the one prediction drawn is dashed); gradient flow's conservation is the grey zero line " +
                "of the change figures. Y axes are logarithmic where the values are positive and span two or more decades, and always for " +
                "relative errors. Figures of absolute values are drawn only where the change over the run is visible on their axis. Each " +
                "figure is also written as SVG beside the PNG."),
        ]);
        foreach (var figure in figures.Where(f => f.IsWritten && f.Id != TrainingFigure.Id)) blocks.Add(new FigureBlock(figure));
        var skipped = figures.Where(f => !f.IsWritten).Select(f => $"{f.Title}: skipped — {f.SkipReason}.").ToList();
        if (skipped.Count > 0)
        {
            blocks.Add(new HeadingBlock(3, "Figures not drawn"));
            blocks.Add(new ListBlock(skipped));
        }

        blocks.Add(new HeadingBlock(2, "Prediction errors"));
        blocks.Add(new ParagraphBlock("Relative error |prediction − empirical| / terms over every group and logged step after the first (neurons/; " +
            "at step 0 every prediction equals the measured value), where terms is the size of the quantity's terms, not the quantity: " +
            "Σ_A|θ| (translation), |θ_A|² (scale) or |θ_A1|² + |θ_A2|² (rescale). Median and max per run, kind and predictor, by the same " +
            "definition and the same summary (a log histogram, median to within 3 %) as train's console table. " +
            "gradient flow is the conservation law Q(t) = Q(0); continuous the modified flow (eq. 18–20) or, with momentum, the damped " +
            "oscillator (eq. 33–38); discrete the exact recurrence (eq. 39–41). \"—\": the prediction does not apply."));
        if (errors.Count == 0)
            blocks.Add(new ParagraphBlock("No run has neurons/ rows with predictions, so there is nothing to compare."));
        else
            blocks.Add(ErrorTable(errors));

        blocks.AddRange(StabilityTable.Blocks(runs));
        blocks.AddRange(AngularSpeedTable.Blocks(runs));
        blocks.AddRange(EquilibriumTable.Blocks(runs));
        blocks.AddRange(SymmetryCountSection.Blocks(runs));

        blocks.Add(new HeadingBlock(2, "Run details"));
        blocks.Add(new TableBlock(["run", "loss", "Nesterov", "log every", "seed", "device", "parameters", "folder"],
            runs.Select(Details).ToList(), [false, false, false, true, true, false, true, false]));
        return blocks;
    }

    /// <summary>One row per run and kind; a median and a max column per predictor.</summary>
    private static TableBlock ErrorTable(IReadOnlyList<PredictionErrorRow> errors)
    {
        var header = new List<string> { "run", "kind" };
        foreach (var predictor in TrajectorySchema.Predictions) header.AddRange([$"{predictor.Replace('_', ' ')} median", "max"]);
        header.Add("values");
        var rows = errors.GroupBy(e => (e.Run, e.Kind)).Select(g =>
        {
            var row = new List<string> { g.Key.Run, g.Key.Kind };
            foreach (var predictor in TrajectorySchema.Predictions)
            {
                var e = g.FirstOrDefault(r => r.Predictor == predictor);
                row.AddRange(e is null ? ["—", "—"] : [Labels.Scientific(e.Median), Labels.Scientific(e.Max)]);
            }
            row.Add(Labels.Count(g.Max(e => e.Count)));
            return (IReadOnlyList<string>)row;
        }).ToList();
        return new TableBlock(header, rows, header.Select((_, i) => i >= 2).ToList());
    }

    private static IReadOnlyList<string> Settings(ReportRun run)
    {
        var m = run.Manifest;
        var o = m.Optimizer;
        // The optimizer's own name and hyperparameters (β and α for SGD, β₁, β₂, ε for Adam, …) from its registered definition.
        var hyper = Training.OptimizerRegistry.Get(o.Kind).Hyperparameters(o);
        return
        [
            run.Name, m.Model, m.Data, run.Theory.Optimizer + (hyper.Length > 0 ? $" ({hyper})" : ""),
            Labels.Number(o.LearningRate), Labels.Number(o.WeightDecay), Labels.Count(m.BatchSize), Labels.Count(m.Steps), Status(run.Status),
        ];
    }

    private static IReadOnlyList<string> Details(ReportRun run)
    {
        var m = run.Manifest;
        return
        [
            run.Name, m.Loss, m.Optimizer.Nesterov ? "yes" : "no", Labels.Count(m.LogEvery),
            m.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Device, Labels.Count(m.Parameters), run.Directory.Root,
        ];
    }

    private static string Status(RunStatus? status) => status switch
    {
        null => "no status.json",
        { State: RunState.Diverged } => $"diverged at step {status.Step}",
        { State: RunState.Failed } => $"failed: {status.Reason}",
        { State: RunState.Interrupted } => $"interrupted: {status.Reason}",
        _ => status.State.ToString().ToLowerInvariant(),
    };
}
