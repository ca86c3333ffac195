namespace NeuralMechanics.Reporting;

/// <summary>Every figure of the report, in report order; a figure without data is a skip with its reason.</summary>
internal static class FigureSet
{
    public static IReadOnlyList<ReportFigure> Build(IReadOnlyList<ReportRun> runs, string folder)
    {
        Directory.CreateDirectory(folder);
        var figures = new List<ReportFigure> { TrainingFigure.Build(runs, folder) };
        figures.AddRange(Kinds.All.Select(kind => ChangeFigure.Build(runs, folder, kind)));
        figures.AddRange(ErrorFigure.Build(runs, folder));
        figures.AddRange(StabilityFigure.Build(runs, folder));
        figures.AddRange(NoiseFigure.Build(runs, folder));
        figures.Add(OptimizerFigure.Build(runs, folder));
        figures.AddRange(
        [
            TranslationFigure.Build(runs, folder),
            LayerNormFigure.Scale(runs, folder),
            AngularSpeedFigure.Build(runs, folder),
            SweepFigure.Build(runs, folder),
            LayerNormFigure.Rescale(runs, folder),
            TransformerFigure.Stream(runs, folder),
            TransformerFigure.Attention(runs, folder),
            TransformerFigure.Charges(runs, folder),
        ]);
        figures.AddRange(Kinds.All.Select(kind => OscillatorFigure.Build(runs, folder, kind)));

        var parameters = runs.Select(r => (Run: r, Figure: ParameterFigure.Build(r, folder))).ToList();
        figures.AddRange(parameters.Where(p => p.Figure is not null).Select(p => p.Figure!));
        if (parameters.Where(p => p.Figure is null).Select(p => p.Run.Name).ToList() is { Count: > 0 } withoutSamples)
            figures.Add(ReportFigure.Skipped("parameters", ParameterFigure.Title,
                $"{Names(withoutSamples)}: no samples/ table, or no per-channel scale or rescale rows in neurons/"));

        foreach (var kind in Kinds.All)
        {
            var neurons = runs.Select(r => (Run: r, Figure: NeuronFigure.Build(r, folder, kind))).ToList();
            figures.AddRange(neurons.Where(p => p.Figure is not null).Select(p => p.Figure!));
            if (neurons.Where(p => p.Figure is null).Select(p => p.Run.Name).ToList() is { Count: > 0 } without)
                figures.Add(ReportFigure.Skipped($"neurons-{kind}", NeuronFigure.Title(kind), $"{Names(without)}: no {kind} rows in neurons/"));
        }
        return figures;
    }

    private static string Names(IReadOnlyList<string> runs) =>
        runs.Count <= 4 ? string.Join(", ", runs) : $"{string.Join(", ", runs.Take(3))} and {runs.Count - 3} more runs";
}
