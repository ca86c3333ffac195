namespace NeuralMechanics.Reporting;

/// <summary>
/// The panel layout of the multi-run figures: SGD figures get one panel per weight decay λ
/// (one per run when several runs share a λ), coloured per λ; momentum figures get one panel
/// per λ with its runs overlaid, coloured per β. Colours follow the sorted distinct values over
/// all runs of the report, so a λ (or β) has the same colour in every figure.
/// </summary>
internal static class RunPanels
{
    /// <summary>SGD runs by λ: (run, panel title, colour index).</summary>
    public static IReadOnlyList<(ReportRun Run, string Title, int Colour)> PerWeightDecay(IReadOnlyList<ReportRun> all, IEnumerable<ReportRun> runs)
    {
        var decays = all.Select(r => r.WeightDecay).Distinct().Order().ToList();
        var chosen = runs.OrderBy(r => r.WeightDecay).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        return chosen.Select(r =>
        {
            var title = $"λ = {Labels.Number(r.WeightDecay)}";
            if (chosen.Count(o => o.WeightDecay == r.WeightDecay) > 1) title += $" · {r.Name}";
            return (r, title, decays.IndexOf(r.WeightDecay));
        }).ToList();
    }

    /// <summary>Momentum runs grouped by λ, each group ordered by β, with the colour index of each β.</summary>
    public static IReadOnlyList<(double WeightDecay, IReadOnlyList<(ReportRun Run, int Colour)> Runs)> PerWeightDecayOverlaid(
        IReadOnlyList<ReportRun> all, IEnumerable<ReportRun> runs)
    {
        var betas = all.Select(r => r.Momentum).Distinct().Order().ToList();
        return runs.GroupBy(r => r.WeightDecay).OrderBy(g => g.Key)
            .Select(g => (g.Key, (IReadOnlyList<(ReportRun, int)>)g.OrderBy(r => r.Momentum).ThenBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => (r, betas.IndexOf(r.Momentum))).ToList()))
            .ToList();
    }

    /// <summary>
    /// The run's name without its sweep folder ("sweep/lr=0.1" → "lr=0.1") where no other run of
    /// <paramref name="all"/> has the same short name: small panels have little room for a title.
    /// </summary>
    public static string ShortName(ReportRun run, IReadOnlyList<ReportRun> all)
    {
        static string Last(string name) => name[(name.LastIndexOf('/') + 1)..];
        var last = Last(run.Name);
        return all.Count(r => Last(r.Name) == last) > 1 ? run.Name : last;
    }

    /// <summary>Grid columns for <paramref name="panels"/> panels: 1, then 2 wide.</summary>
    public static int Columns(int panels) => panels <= 1 ? 1 : 2;
}
