namespace NeuralMechanics.Reporting;

/// <summary>
/// The symmetry counts of each model configuration in the report (from its manifest) and, for
/// VGG-16 with and without BatchNorm, the paper's Table 5 beside them with the reason for each
/// difference (docs/design.md, counting convention).
/// </summary>
internal static class SymmetryCountSection
{
    /// <summary>The paper's Table 5 (Tiny ImageNet): parameters, scale, rescale, translation.</summary>
    public static readonly IReadOnlyDictionary<string, (long Parameters, int Scale, int Rescale, int Translation)> PaperTable5 =
        new Dictionary<string, (long, int, int, int)>
        {
            ["vgg16"] = (18_067_464, 0, 8_323, 201),
            ["vgg16-bn"] = (18_075_912, 4_227, 8_323, 201),
        };

    public static IEnumerable<ReportBlock> Blocks(IReadOnlyList<ReportRun> runs)
    {
        yield return new HeadingBlock(2, "Symmetry counts");
        yield return new ParagraphBlock("Groups found by symmetry discovery, as recorded in each run's manifest (symmetry_counts, symmetry_layers). " +
            "Runs of the same model configuration share one table.");
        foreach (var group in runs.GroupBy(Configuration))
        {
            var run = group.First();
            var m = run.Manifest;
            var options = m.ModelOptions.Count == 0 ? "" : $" ({string.Join(", ", m.ModelOptions.Select(o => $"{o.Key}={o.Value}"))})";
            yield return new HeadingBlock(3, $"{m.Model}{options} on {m.Data}: {string.Join(", ", group.Select(r => r.Name))}");
            var rows = Kinds.All.Select(kind => (IReadOnlyList<string>)
            [
                kind,
                Labels.Count(m.SymmetryCounts.GetValueOrDefault(kind)),
                string.Join(", ", m.SymmetryLayers.Where(l => l.Kind == kind).Select(l => $"{l.Layer} {Labels.Count(l.Groups)}")),
            ]).ToList();
            yield return new TableBlock(["kind", "groups", "per layer"], rows, [false, true, false]);
            foreach (var counted in group)
                if (LawsLine(counted) is { } line) yield return new ParagraphBlock(line);
            if (PaperTable5.TryGetValue(m.Model.ToLowerInvariant(), out var paper))
            {
                yield return new ParagraphBlock($"Compared with the paper's Table 5 ({m.Model} on Tiny ImageNet). Where the numbers differ the reason is given.");
                var bn = m.Model.EndsWith("-bn", StringComparison.OrdinalIgnoreCase);
                yield return new TableBlock(["", "this run", "paper (Table 5)", "why they differ"],
                [
                    Row("parameters", m.Parameters, paper.Parameters,
                        "the model options differ from the reference Tiny ImageNet VGG-16 (e.g. width or input size)"),
                    Row("scale", m.SymmetryCounts.GetValueOrDefault(Kinds.Scale), paper.Scale,
                        "we count one scale group per output channel of each conv layer followed by BatchNorm (4,224 at full width); the paper adds 3 (the input channels)"),
                    Row("rescale", m.SymmetryCounts.GetValueOrDefault(Kinds.Rescale), paper.Rescale,
                        "we count one rescale group per channel of every conv layer and per unit of fc1 and fc2 (4,224 + 1,024 + 1,024 = 6,272 at full width); " +
                        "the paper adds the 3 input channels and counts the classifier's 2,048 + 1,024 + 1,024 inputs"),
                    Row("translation", m.SymmetryCounts.GetValueOrDefault(Kinds.Translation), paper.Translation,
                        "we count one translation group per input column of the final layer plus one for its bias (1,024 + 1 = 1,025); the paper counts its 200 classes + 1" +
                        (bn ? "; with BatchNorm we also count one group per conv bias entry feeding BatchNorm (4,224)" : "")),
                ], [false, true, true, false]);
            }
        }
    }

    /// <summary>
    /// "conservation laws: N at θ, M explained by the symmetries found" from the run's laws.json
    /// (written by <c>nmech laws --at RUN</c>), or null when laws was not run on it.
    /// </summary>
    internal static string? LawsLine(ReportRun run) => LawsLine(run.Directory.Root, run.Name);

    /// <summary>The same line for the run folder <paramref name="folder"/> named <paramref name="name"/> (<c>nmech symmetries --at RUN</c>).</summary>
    internal static string? LawsLine(string folder, string name)
    {
        var path = Path.Combine(folder, Runs.TrajectorySchema.LawsFile);
        if (!File.Exists(path)) return null;
        System.Text.Json.Nodes.JsonNode json;
        try
        {
            json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))
                ?? throw new InvalidInputException($"{path}: expected the JSON object nmech laws writes, found null");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidInputException($"{path}: expected the JSON object nmech laws writes: {e.Message}");
        }
        long Field(string name) => json[name] is { } v ? (long)v
            : throw new InvalidInputException($"{path}: field {name}: expected a number, found none");
        var step = json["step"] is { } s ? $"step {(long)s}" : "initialisation";
        var decided = json["decided"] is { } d && (bool)d ? "" : " (undecided: a singular-value gap was too small or the rank still grew; the count is not reliable)";
        return $"{name}: conservation laws: {Labels.Count(Field("laws"))} at θ ({step}), {Labels.Count(Field("explained"))} explained by the symmetries found, " +
            $"{Labels.Count(Field("unexplained"))} unexplained (nmech laws: D − dim Lie(V) of {Labels.Count(Field("parameters"))} parameters){decided}.";
    }

    private static IReadOnlyList<string> Row(string what, long ours, long paper, string reason) =>
        [what, Labels.Count(ours), Labels.Count(paper), ours == paper ? "same" : reason];

    /// <summary>Runs with the same model, options, data and input shape have the same groups.</summary>
    private static string Configuration(ReportRun run) =>
        $"{run.Manifest.Model}|{string.Join(",", run.Manifest.ModelOptions.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"))}|{run.Manifest.Data}|{string.Join("x", run.Manifest.InputShape)}|{run.Manifest.Classes}";
}
