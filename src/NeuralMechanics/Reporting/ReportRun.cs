using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// One run as the report sees it: its manifest, status and trajectory tables in memory, with
/// the rows of each (kind, layer) set indexed in step order.
/// </summary>
internal sealed class ReportRun
{
    private readonly Dictionary<(string Kind, string Layer), int[]> layerRows;
    private readonly Dictionary<(string Kind, string Layer), int[]> neuronRows;
    private readonly List<string> layerOrder;
    private readonly Dictionary<(string Parameter, long Index), int[]> sampleRows;

    private ReportRun(string name, RunDirectory directory)
    {
        Name = name;
        Directory = directory;
        Status = directory.ReadStatus();
        Metrics = TrajectoryReader.Read(directory.MetricsFolder);
        Layers = TrajectoryReader.Read(directory.LayersFolder);
        Neurons = TrajectoryReader.Read(directory.NeuronsFolder);
        Samples = TrajectoryReader.Read(directory.SamplesFolder);
        Equilibrium = TrajectoryReader.Read(directory.EquilibriumFolder);
        Eval = TrajectoryReader.Read(directory.EvalFolder);
        Stability = TrajectoryReader.Read(Path.Combine(directory.Root, Tracking.Sharpness.Folder));
        Noise = TrajectoryReader.Read(Path.Combine(directory.Root, Tracking.GradientNoise.Folder));
        var (parameters, indices) = (Samples.Strings(TrajectorySchema.Parameter), Samples.Longs(TrajectorySchema.Index));
        sampleRows = IndexRows(Samples, i => (parameters[i], indices[i]));
        layerRows = IndexBySet(Layers);
        times = new Lazy<Dictionary<long, double>>(RecordedTimes);
        neuronRows = IndexBySet(Neurons);
        // The manifest lists sets in network order; sets it does not name follow in table order.
        layerOrder = Manifest.SymmetryLayers.Select(l => l.Layer)
            .Concat(layerRows.Keys.Concat(neuronRows.Keys).Select(k => k.Layer))
            .Distinct().ToList();
    }

    /// <summary>Opens the run folder and reads its tables.</summary>
    /// <exception cref="InvalidInputException">Missing or malformed manifest, status or table.</exception>
    public static ReportRun Load(string name, string root) => new(name, RunDirectory.Open(root));

    /// <summary>Short name shown in tables, legends and file names.</summary>
    public string Name { get; }
    public RunDirectory Directory { get; }
    public RunManifest Manifest => Directory.Manifest;
    public RunStatus? Status { get; }
    /// <summary>metrics/: step, time, loss, accuracy of every step's batch, in step order.</summary>
    public TrajectoryTable Metrics { get; }
    public TrajectoryTable Layers { get; }
    public TrajectoryTable Neurons { get; }
    public TrajectoryTable Samples { get; }
    /// <summary>equilibrium/: per scale set and step, angular update and norm against their equilibrium values (empty for older runs).</summary>
    public TrajectoryTable Equilibrium { get; }
    /// <summary>eval/: the test accuracy every few steps (empty for older runs, which have only the final value).</summary>
    public TrajectoryTable Eval { get; }
    /// <summary>stability/: the sharpness λ_max and the optimizer's threshold every few steps (empty unless the run measured it).</summary>
    public TrajectoryTable Stability { get; }
    /// <summary>noise/: the gradient noise scale B_simple every few steps (empty unless the run measured it).</summary>
    public TrajectoryTable Noise { get; }

    /// <summary>The test accuracy against the step, in step order (empty without an eval/ table).</summary>
    public Series TestAccuracySeries()
    {
        if (Eval.RowCount == 0) return new Series([], []);
        var steps = Eval.Longs(TrajectorySchema.Step);
        return Series.From(Eval, Enumerable.Range(0, Eval.RowCount).OrderBy(i => steps[i]).ToArray(), TrajectorySchema.TestAccuracy, step => step);
    }

    public double WeightDecay => Manifest.Optimizer.WeightDecay;
    public double Momentum => Manifest.Optimizer.Momentum;
    public bool UsesMomentum => Momentum > 0;

    /// <summary>What the theory says under this run's optimizer (its laws' names, its equilibrium), from the registry.</summary>
    public NeuralMechanics.Theory.OptimizerTheory Theory => theory ??= Training.OptimizerRegistry.Get(Manifest.Optimizer.Kind).Theory(Manifest.Optimizer);
    private NeuralMechanics.Theory.OptimizerTheory? theory;

    /// <summary>Classes of the task: the loss of a uniform guess is ln(classes).</summary>
    public int Classes => Manifest.Classes;

    /// <summary>One column of metrics/ (loss or accuracy) against the step, in step order, non-finite points kept out.</summary>
    public Series MetricSeries(string column) => Series.From(Metrics, MetricRows(), column, step => step);

    /// <summary>Every value of one metrics/ column in step order, non-finite ones included (a diverged loss counts).</summary>
    public IReadOnlyList<double> MetricValues(string column)
    {
        if (Metrics.RowCount == 0) return [];
        var values = Metrics.Doubles(column);
        return MetricRows().Select(i => values[i]).ToList();
    }

    private int[] MetricRows()
    {
        if (Metrics.RowCount == 0) return [];
        var steps = Metrics.Longs(TrajectorySchema.Step);
        return Enumerable.Range(0, Metrics.RowCount).OrderBy(i => steps[i]).ToArray();
    }

    /// <summary>
    /// The paper's time of a step as the run recorded it: Σ_{k&lt;n} ηₖ (× (1−α) with momentum), which is
    /// η·n at a constant rate; for a step no table holds, η·n at the base rate.
    /// </summary>
    public double Time(long step) => times.Value.TryGetValue(step, out var t) ? t : Manifest.Optimizer.TimePerStep * step;

    private readonly Lazy<Dictionary<long, double>> times;

    // Every step's time from the tables that hold it (layers/ includes the final state after the last update).
    private Dictionary<long, double> RecordedTimes()
    {
        var result = new Dictionary<long, double>();
        foreach (var table in new[] { Metrics, Layers })
        {
            if (table.RowCount == 0 || !table.Has(TrajectorySchema.Time)) continue;
            var (steps, values) = (table.Longs(TrajectorySchema.Step), table.Doubles(TrajectorySchema.Time));
            for (int i = 0; i < steps.Length; i++) result.TryAdd(steps[i], values[i]);
        }
        return result;
    }

    /// <summary>Keys of the layers/ sets of <paramref name="kind"/>, in network order.</summary>
    public IReadOnlyList<string> LayerSets(string kind) => Ordered(layerRows, kind);

    /// <summary>Keys of the neurons/ sets of <paramref name="kind"/>, in network order.</summary>
    public IReadOnlyList<string> NeuronSets(string kind) => Ordered(neuronRows, kind);

    /// <summary>One column of a layers/ set against time, non-finite points dropped.</summary>
    public Series LayerSeries(string kind, string layer, string column) =>
        Series.From(Layers, Rows(layerRows, kind, layer), column, Time);

    /// <summary>The same against the step instead of the time (runs with different η on one axis).</summary>
    public Series LayerSeriesByStep(string kind, string layer, string column) =>
        Series.From(Layers, Rows(layerRows, kind, layer), column, step => step);

    /// <summary>The units (group indices) logged for a neurons/ set, ascending.</summary>
    public int[] Units(string kind, string layer)
    {
        var unit = Neurons.Ints(TrajectorySchema.Unit);
        return Rows(neuronRows, kind, layer).Select(i => unit[i]).Distinct().Order().ToArray();
    }

    /// <summary>
    /// Each logged group's relative change over the run, (Q(last) − Q(first)) / terms(first), in one
    /// pass over the set's rows; groups without a positive finite terms(first) are left out.
    /// </summary>
    public IReadOnlyDictionary<int, double> UnitChanges(string kind, string layer)
    {
        var (unit, empirical, terms) = (Neurons.Ints(TrajectorySchema.Unit), Neurons.Doubles(TrajectorySchema.Empirical), Neurons.Doubles(TrajectorySchema.Terms));
        var ends = new Dictionary<int, (double Start, double Size, double Last)>();
        foreach (var i in Rows(neuronRows, kind, layer))
            ends[unit[i]] = ends.TryGetValue(unit[i], out var e) ? e with { Last = empirical[i] } : (empirical[i], terms[i], empirical[i]);
        return ends.Where(p => p.Value.Size > 0 && double.IsFinite(p.Value.Size))
            .Select(p => (p.Key, Change: (p.Value.Last - p.Value.Start) / p.Value.Size))
            .Where(p => double.IsFinite(p.Change))
            .ToDictionary(p => p.Key, p => p.Change);
    }

    /// <summary>One column of one group of a neurons/ set against time, non-finite points dropped.</summary>
    public Series NeuronSeries(string kind, string layer, int unit, string column)
    {
        var units = Neurons.Ints(TrajectorySchema.Unit);
        return Series.From(Neurons, Rows(neuronRows, kind, layer).Where(i => units[i] == unit).ToArray(), column, Time);
    }

    /// <summary>
    /// The prediction drawn for a layers/ set: the paper's continuous solution, or the exact
    /// discrete one where the continuous column holds no value; with the legend label.
    /// </summary>
    public (Series Series, string Label) LayerPrediction(string kind, string layer) =>
        Prediction(kind, column => LayerSeries(kind, layer, column));

    /// <summary>The prediction drawn for one group of a neurons/ set (see <see cref="LayerPrediction"/>).</summary>
    public (Series Series, string Label) NeuronPrediction(string kind, string layer, int unit) =>
        Prediction(kind, column => NeuronSeries(kind, layer, unit, column));

    private (Series, string) Prediction(string kind, Func<string, Series> column)
    {
        var continuous = column(TrajectorySchema.Continuous);
        return continuous.IsEmpty
            // The short name: the legend holds it in one line beside the layers' names (the caption gives the law).
            ? (column(TrajectorySchema.Discrete), $"{Theory.DiscreteLawShort} ({Theory.Optimizer})")
            : (continuous, Labels.ContinuousPrediction(kind, UsesMomentum));
    }

    /// <summary>
    /// The translation set of the final layer's weight (one group per input column, Fig. 5 top):
    /// the last "*.weight" translation set in network order, or null when none was logged.
    /// </summary>
    public string? FinalWeightTranslationSet() =>
        NeuronSets(Kinds.Translation).LastOrDefault(l => l.EndsWith(".weight", StringComparison.Ordinal));

    /// <summary>The sampled raw parameters of samples/: (layer, parameter, flat index), in file order.</summary>
    public IReadOnlyList<(string Layer, string Parameter, long Index)> SampledParameters()
    {
        var layer = Samples.Strings(TrajectorySchema.Layer);
        return sampleRows.OrderBy(p => p.Value.Min()).Select(p => (layer[p.Value[0]], p.Key.Parameter, p.Key.Index)).ToList();
    }

    /// <summary>One sampled parameter's value against time.</summary>
    public Series SampleSeries(string parameter, long index) =>
        Series.From(Samples, sampleRows.TryGetValue((parameter, index), out var rows) ? rows : [], TrajectorySchema.Value, Time);

    private IReadOnlyList<string> Ordered(Dictionary<(string Kind, string Layer), int[]> rows, string kind) =>
        layerOrder.Where(l => rows.ContainsKey((kind, l))).ToList();

    private static int[] Rows(Dictionary<(string Kind, string Layer), int[]> rows, string kind, string layer) =>
        rows.TryGetValue((kind, layer), out var r) ? r : [];

    /// <summary>Row indices of each (kind, layer) set, sorted by step.</summary>
    private static Dictionary<(string Kind, string Layer), int[]> IndexBySet(TrajectoryTable table)
    {
        var (kinds, layers) = (table.Strings(TrajectorySchema.Kind), table.Strings(TrajectorySchema.Layer));
        return IndexRows(table, i => (kinds[i], layers[i]));
    }

    /// <summary>Row indices per key, each list sorted by step (stable, so ties keep file order).</summary>
    private static Dictionary<TKey, int[]> IndexRows<TKey>(TrajectoryTable table, Func<int, TKey> keyOf) where TKey : notnull
    {
        var steps = table.Longs(TrajectorySchema.Step);
        var lists = new Dictionary<TKey, List<int>>();
        for (var i = 0; i < table.RowCount; i++)
        {
            var key = keyOf(i);
            if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
            list.Add(i);
        }
        return lists.ToDictionary(p => p.Key, p => p.Value.OrderBy(i => steps[i]).ToArray());
    }
}
