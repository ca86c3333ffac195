using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The transformer kinds (docs/design.md, "Transformers"): the residual stream's scale group (a
/// scale set with several writers: every writer of a stream read only by LayerNorms), the
/// attention rescales (each head's Q–K and V–O diagonals, sets "&lt;attention&gt;.qk" and ".vo") and
/// the heads' matrix charges (charges/).
/// </summary>
internal static class TransformerFigure
{
    public const string StreamId = "stream-scale";
    public const string AttentionId = "attention-rescale";
    public const string ChargesId = "matrix-charges";
    public const string StreamTitle = "Stream scale: the residual stream's one scale group, change since t = 0, measured and predicted";
    public const string AttentionTitle = "Attention rescale: the heads' Q–K and V–O diagonals, change since t = 0, measured and predicted";
    public const string ChargesTitle = "Matrix charges of the attention heads: |C_QK|, |C_VO| and the error of each law";

    private static IReadOnlyList<string> StreamSets(ReportRun run) => run.LayerSets(Kinds.Scale).Where(k => k.Contains('+')).ToList();

    private static IReadOnlyList<string> AttentionSets(ReportRun run)
    {
        var sets = run.LayerSets(Kinds.Rescale).Where(k => k.EndsWith(".qk") || k.EndsWith(".vo")).ToList();
        // The first and the last attention, each with its two diagonals.
        return sets.Count <= 4 ? sets : [.. sets.Take(2), .. sets.TakeLast(2)];
    }

    public static ReportFigure Stream(IReadOnlyList<ReportRun> runs, string folder) =>
        ChangePanels(runs, folder, Kinds.Scale, StreamId, StreamTitle, StreamSets,
            "no run has a scale group made by several writers (a residual stream read only by LayerNorms, as in a pre-LN transformer)",
            "The residual stream of a pre-LayerNorm transformer is read only by LayerNorms, so scaling every one of its writers together " +
            "(patch embedding, positional embedding, every attention output projection and MLP output layer, with their biases) changes " +
            "nothing: one scale group, exact up to LayerNorm's ε. Its squared norm |θ_A|² minus its value at the first step, over that value.");

    public static ReportFigure Attention(IReadOnlyList<ReportRun> runs, string folder) =>
        ChangePanels(runs, folder, Kinds.Rescale, AttentionId, AttentionTitle, AttentionSets,
            "no run has attention rescale sets (models without attention)",
            "Per attention, the sum over its features of |row c of Ŵ_Q|² − |row c of Ŵ_K|² (qk) and of |row c of Ŵ_V|² − |column c of W_O|² (vo), " +
            "the diagonals of each head's GL(d_h) symmetry, for the first and the last attention; change since the first step over the terms " +
            "|θ_A1|² + |θ_A2|² at that step.");

    private static ReportFigure ChangePanels(IReadOnlyList<ReportRun> runs, string folder, string kind, string id, string title,
        Func<ReportRun, IReadOnlyList<string>> sets, string skip, string what)
    {
        var with = runs.Where(r => sets(r).Count > 0).ToList();
        if (with.Count == 0) return ReportFigure.Skipped(id, title, skip);
        var panels = new List<Panel>();
        foreach (var run in with)
        {
            var keys = sets(run);
            for (var k = 0; k < keys.Count; k++)
            {
                // A stream's key joins all its writers; its first writer and their number fit a title.
                var writers = keys[k].Split('+');
                string label = writers.Length > 1 ? $"{writers[0]} + {writers.Length - 1} writers" : keys[k];
                panels.Add(ChangeFigure.LayerPanel(run, with, kind, keys[k], label, k));
            }
        }
        var files = FigureFile.Save(Path.Combine(folder, id), panels, Math.Min(2, panels.Count), FigureStyle.SmallPanelWidth, FigureStyle.SmallPanelHeight + 40);
        return ReportFigure.Written(id, title,
            $"{what} Runs: {string.Join("; ", with.Select(r => $"{r.Name}: {ChangeFigure.Settings(r)}"))}. Solid: measured; black dashed: the continuous law; " +
            "black dotted: the exact discrete law; grey at 0: gradient flow. " + ChangeFigure.RoundingCaption, files);
    }

    /// <summary>Attention layers per run drawn as panels of their own (the first and last, and evenly between).</summary>
    public const int ChargeLayers = 4;

    /// <summary>Columns of the charges figure: up to <see cref="ChargeLayers"/> attention panels and the error panel per row.</summary>
    private const int ChargeColumns = 3;

    public static ReportFigure Charges(IReadOnlyList<ReportRun> runs, string folder)
    {
        var tables = ChargeTables(runs);
        if (tables.Count == 0) return ReportFigure.Skipped(ChargesId, ChargesTitle, "no run has a charges/ table (models without attention, or untracked runs)");
        var panels = ChargePanels(tables);
        var files = FigureFile.Save(Path.Combine(folder, ChargesId), panels, Math.Min(ChargeColumns, panels.Count), FigureStyle.SmallPanelWidth + 40, FigureStyle.SmallPanelHeight + 40);
        return ReportFigure.Written(ChargesId, ChargesTitle,
            "Per attention head, C_QK = Ŵ_QŴ_Qᵀ − Ŵ_KŴ_Kᵀ and C_VO = Ŵ_VŴ_Vᵀ − W_OʰᵀW_Oʰ (d_h × d_h, Ŵ = [W | b]), conserved by gradient flow. " +
            $"Per run, one panel per attention layer (up to {ChargeLayers}, first to last): the Frobenius norms of its heads' charges (charges/), " +
            "one colour per head, C_QK solid and C_VO dashed. Last panel of the run: the error of each law, |C − prediction|_F over |A|²_F + |B|²_F, " +
            "the median over every head and both charges per step: gradient flow (the initial matrix), the modified flow (the matrix form of " +
            "eq. 18–20) and the exact discrete law C' = (1−ηλ)²C + η²(G_AG_Aᵀ − G_BG_Bᵀ), whose error is rounding only.", files);
    }

    /// <summary>Each run's charges/ table, where it has rows.</summary>
    internal static IReadOnlyList<(ReportRun Run, TrajectoryTable Table)> ChargeTables(IReadOnlyList<ReportRun> runs) =>
        runs.Select(r => (Run: r, Path: r.Directory.ChargesFolder))
            .Where(x => Directory.Exists(x.Path) && Directory.EnumerateFiles(x.Path, "*.parquet").Any())
            .Select(x => (x.Run, Table: TrajectoryReader.Read(x.Path))).Where(x => x.Table.RowCount > 0).ToList();

    /// <summary>
    /// Small multiples: per run a panel per attention layer (its heads' |C_QK| solid and |C_VO| dashed, a
    /// colour per head), then the error panel; each run starts a row.
    /// </summary>
    internal static IReadOnlyList<Panel> ChargePanels(IReadOnlyList<(ReportRun Run, TrajectoryTable Table)> tables)
    {
        var panels = new List<Panel>();
        foreach (var (run, table) in tables)
        {
            string name = RunPanels.ShortName(run, tables.Select(t => t.Run).ToList());
            var steps = table.Longs(TrajectorySchema.Step);
            var layers = table.Strings(TrajectorySchema.Layer);
            var kinds = table.Strings(TrajectorySchema.Kind);
            var rowsOf = Enumerable.Range(0, table.RowCount).GroupBy(i => (layers[i], kinds[i])).ToDictionary(g => g.Key, g => g.OrderBy(i => steps[i]).ToList());
            // "blocks.0.attn.attention.h2" → attention "blocks.0.attn.attention", head 2; heads in numeric order.
            var attentions = layers.Distinct().Select(Head).GroupBy(h => h.Attention)
                .Select(g => (Attention: g.Key, Heads: g.OrderBy(h => h.Index).ThenBy(h => h.Layer, StringComparer.Ordinal).ToList())).ToList();
            var row = new List<Panel>();
            foreach (var (attention, heads) in Sampling.Evenly(attentions, ChargeLayers))
            {
                var panel = new Panel($"{attention} · {name}", "|C|_F");
                for (var h = 0; h < heads.Count; h++)
                    foreach (var (kind, style) in new[] { ("qk", Panel.Style.Solid), ("vo", Panel.Style.Dashed) })
                        if (rowsOf.TryGetValue((heads[h].Layer, kind), out var rows))
                            panel.Add(Series.From(table, rows, TrajectorySchema.Empirical, run.Time), FigureStyle.Category(h), style, 2.2f);
                for (var h = 0; h < heads.Count; h++) panel.LegendLine(heads[h].Index >= 0 ? $"h{heads[h].Index}" : heads[h].Layer, FigureStyle.Category(h));
                panel.LegendLine("C_QK", FigureStyle.Prediction, Panel.Style.Solid);
                panel.LegendLine("C_VO", FigureStyle.Prediction, Panel.Style.Dashed);
                if (panel.IsEmpty) panel.EmptyNote = "no finite charge rows for this attention yet";
                row.Add(panel);
            }
            var errors = new Panel($"error, median over heads · {name}", "|C − prediction|_F / (|A|² + |B|²)") { Log = true };
            var terms = table.Doubles(TrajectorySchema.Terms);
            foreach (var (column, colour, style, label) in new[]
            {
                (TrajectorySchema.GradientFlow, ScottPlot.Colors.Gray, Panel.Style.Solid, "gradient flow (C constant)"),
                (TrajectorySchema.Continuous, FigureStyle.Prediction, Panel.Style.Dashed, "modified flow"),
                (TrajectorySchema.Discrete, FigureStyle.Prediction, Panel.Style.Dotted, "discrete (1−ηλ)²C + η²F"),
            })
            {
                var values = table.Doubles(column);
                var medians = Enumerable.Range(0, table.RowCount).Where(i => steps[i] > 0 && double.IsFinite(values[i]) && terms[i] > 0).GroupBy(i => steps[i])
                    .OrderBy(g => g.Key).Select(g => (Time: run.Time(g.Key), Value: Median(g.Select(i => values[i] / terms[i])))).Where(p => p.Value > 0).ToList();
                if (medians.Count == 0) continue;
                errors.Add(new Series(medians.Select(p => p.Time).ToArray(), medians.Select(p => p.Value).ToArray()), colour, style);
                errors.LegendLine(label, colour, style);
            }
            if (errors.IsEmpty)
                errors.EmptyNote = steps.All(s => s == 0)
                    ? "only step 0 logged so far: errors are measured from the next step on"
                    : "no positive error to draw: every prediction matches exactly or does not apply";
            row.Add(errors);
            // Each run starts a row of its own.
            while (row.Count % ChargeColumns != 0) row.Add(Panel.Blank());
            panels.AddRange(row);
        }
        return panels;
    }

    /// <summary>A head's layer name split into its attention and head index (−1 when the name has no ".h&lt;n&gt;" suffix).</summary>
    private static (string Layer, string Attention, int Index) Head(string layer)
    {
        var dot = layer.LastIndexOf(".h", StringComparison.Ordinal);
        return dot > 0 && int.TryParse(layer.AsSpan(dot + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? (layer, layer[..dot], index)
            : (layer, layer, -1);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
