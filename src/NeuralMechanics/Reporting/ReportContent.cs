using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>The report's blocks, in order: runs and settings, symmetry counts, figures, prediction errors.</summary>
internal static class ReportContent
{
    public static IReadOnlyList<ReportBlock> Build(IReadOnlyList<ReportRun> runs, IReadOnlyList<ReportFigure> figures, IReadOnlyList<PredictionErrorRow> errors)
    {
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(1, "Neural mechanics report"),
            new ParagraphBlock($"{runs.Count} run{(runs.Count == 1 ? "" : "s")}: symmetry-protected quantities measured during training " +
                "against the predictions of Kunin et al., \"Neural Mechanics\" (ICLR 2021). Time is η·step for SGD and η(1−α)·step with momentum."),
            new HeadingBlock(2, "Runs and settings"),
            new TableBlock(
                ["run", "model", "data", "loss", "η", "λ", "β", "α", "Nesterov", "batch", "steps", "log every", "seed", "device", "parameters", "status"],
                runs.Select(Settings).ToList(),
                [false, false, false, false, true, true, true, true, false, true, true, true, true, false, true, false]),
        };
        blocks.AddRange(SymmetryCountSection.Blocks(runs));

        blocks.Add(new HeadingBlock(2, "Figures"));
        blocks.Add(new ParagraphBlock("Empirical curves in colour, predictions as black dashed lines. Y axes are logarithmic where the values are " +
            "positive and span two or more decades. Each figure is also written as SVG beside the PNG."));
        foreach (var figure in figures.Where(f => f.IsWritten)) blocks.Add(new FigureBlock(figure));
        var skipped = figures.Where(f => !f.IsWritten).Select(f => $"{f.Title}: skipped — {f.SkipReason}.").ToList();
        if (skipped.Count > 0)
        {
            blocks.Add(new HeadingBlock(3, "Figures not drawn"));
            blocks.Add(new ListBlock(skipped));
        }

        blocks.Add(new HeadingBlock(2, "Prediction errors"));
        blocks.Add(new ParagraphBlock("Relative error |prediction − empirical| / terms per group and logged step (neurons/), where terms is " +
            "Σ_A|θ| (translation), |θ_A|² (scale) or |θ_A1|² + |θ_A2|² (rescale). gradient_flow is the conservation law Q(t) = Q(0); " +
            "continuous the modified flow (eq. 18–20) or, with momentum, the damped oscillator (eq. 33–38); discrete the exact recurrence " +
            "(eq. 39–41). Predictions that do not apply are left out."));
        if (errors.Count == 0)
            blocks.Add(new ParagraphBlock("No run has neurons/ rows with predictions, so there is nothing to compare."));
        else
            blocks.Add(new TableBlock(["run", "kind", "predictor", "median", "max", "values"],
                errors.Select(e => (IReadOnlyList<string>)[e.Run, e.Kind, e.Predictor, Labels.Scientific(e.Median), Labels.Scientific(e.Max), Labels.Count(e.Count)]).ToList(),
                [false, false, false, true, true, true]));
        return blocks;
    }

    private static IReadOnlyList<string> Settings(ReportRun run)
    {
        var m = run.Manifest;
        var o = m.Optimizer;
        return
        [
            run.Name, m.Model, m.Data, m.Loss, Labels.Number(o.LearningRate), Labels.Number(o.WeightDecay), Labels.Number(o.Momentum),
            Labels.Number(o.Dampening), o.Nesterov ? "yes" : "no", Labels.Count(m.BatchSize), Labels.Count(m.Steps), Labels.Count(m.LogEvery),
            m.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Device, Labels.Count(m.Parameters), Status(run.Status),
        ];
    }

    private static string Status(RunStatus? status) => status switch
    {
        null => "no status.json",
        { State: RunState.Diverged } => $"diverged at step {status.Step}",
        { State: RunState.Failed } => $"failed: {status.Reason}",
        _ => status.State.ToString().ToLowerInvariant(),
    };
}
