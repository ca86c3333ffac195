using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;
using NeuralMechanics.Tracking.Laws;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>Where a tracker writes; any of them may be null (e.g. in benchmarks).</summary>
/// <param name="Layers">layers/ table: one row per set every step.</param>
/// <param name="Neurons">neurons/ table: one row per group every logged step.</param>
/// <param name="Samples">samples/ table: a fixed sample of raw parameters every logged step.</param>
/// <param name="TensorBoard">Per-set totals and their predictions every logged step.</param>
/// <param name="Equilibrium">equilibrium/ table: one row per scale set every step.</param>
internal sealed record TrackerSinks(TrajectoryWriter? Layers, TrajectoryWriter? Neurons, TrajectoryWriter? Samples, TensorBoardLog? TensorBoard,
    TrajectoryWriter? Equilibrium = null);

/// <summary>
/// Measures every symmetry group's quantity at every step and holds it against its predictions
/// (gradient flow, the paper's continuous solution, the exact discrete recurrence). Call
/// <see cref="Observe"/> after the backward pass and before the optimizer step. Per step the work
/// is a few fused reductions per parameter over tensors already in memory (θ, g, the momentum
/// buffer), planned once by <see cref="StepReductions"/> (each slice reduced once per field however
/// many sets read it). On the CPU the sums are taken straight from the tensors' memory in one loop
/// per reduction (<see cref="UnitSums"/>) and the step is processed at once. On a GPU the step's
/// values stay on the device, handed to the session's shared <see cref="DeviceReader"/> (a tracker
/// built alone has its own, reading every <see cref="FlushEvery"/> steps): at its read they come to
/// the host with every other quantity's, and the predictions and rows of those steps are computed
/// then, step by step as they would have been each step, so the GPU never waits for the host within
/// a chunk. The tracker keeps O(groups) doubles, plus the steps of measurements the reader holds on
/// the device: no per-parameter buffer, no checkpoint needed to compute a prediction.
/// </summary>
public sealed class SymmetryTracker : ITrackedQuantity
{
    private const int SamplesPerParameter = 8;
    private readonly SetTracker[] sets;
    private readonly StepReductions reductions = new();
    private readonly ScheduleClock clock;
    private readonly Dictionary<Parameter, string> names;
    private readonly Func<Parameter, Tensor?> velocity;
    private readonly Func<Parameter, Tensor?>? update;
    private readonly TrackerSinks sinks;
    private readonly (Parameter Param, string Name, string Layer, long[] Index, Tensor IndexTensor)[] samples;
    private readonly int sampleCount;
    private readonly ErrorSummary errors = new();
    private readonly DeviceReader reader;
    // Steps handed to the reader and not yet processed (the host path processes them before its own).
    private int pending;

    /// <summary>Tracks every set of <paramref name="analysis"/> for parameters updated by <paramref name="optimizer"/>.</summary>
    /// <param name="analysis">Discovered symmetry groups.</param>
    /// <param name="optimizer">The optimizer (for groups, momentum buffers and recorded updates).</param>
    /// <param name="settings">The optimizer's settings (rule, hyperparameters, schedule).</param>
    /// <param name="parameters">The network's named parameters (the names the optimizer knows them by).</param>
    /// <param name="sinks">Outputs.</param>
    /// <param name="seed">Chooses the sampled raw parameters.</param>
    /// <param name="reader">The session's shared reader (null: the tracker's own, see <see cref="FlushEvery"/>).</param>
    /// <remarks>
    /// With Adam, AdamW or Nesterov the tracker sets <see cref="IOptimizer.RecordUpdates"/>: their
    /// discrete laws need the update Δθ actually applied.
    /// </remarks>
    internal SymmetryTracker(SymmetryAnalysis analysis, IOptimizer optimizer, OptimizerSettings settings, IEnumerable<(string Name, Parameter Param)> parameters,
        TrackerSinks sinks, long seed = 0, DeviceReader? reader = null)
    {
        this.sinks = sinks;
        this.reader = reader ?? new DeviceReader { ReadEvery = 50 };
        Tables = new[] { sinks.Layers, sinks.Neurons, sinks.Samples, sinks.Equilibrium }.OfType<TrajectoryWriter>().Select(w => new QuantityTable(w)).ToArray();
        clock = new ScheduleClock(settings);
        names = parameters.ToDictionary<(string Name, Parameter Param), Parameter, string>(p => p.Param, p => p.Name, ReferenceEqualityComparer.Instance);
        sets = analysis.Sets.Select(s => new SetTracker(Theory(s, optimizer, settings), s.Kind == SymmetryKind.Translation
            ? analysis.Architecture.Layers.FirstOrDefault(l => l.Name == s.A[0].Layer)?.Weight : null)).ToArray();
        reductions.Seal();
        velocity = p => optimizer.MomentumBuffer(names[p]);
        if (sets.Any(s => s.NeedsUpdates))
        {
            optimizer.RecordUpdates = true;
            update = p => optimizer.LastUpdate(names[p]);
        }
        var random = new Random((int)(seed % int.MaxValue));
        samples = analysis.Architecture.Layers.Where(l => l.Weight is not null).Select(l =>
        {
            var w = l.Weight!;
            // A node's row block of a packed weight (an imported q, k, v) is sampled within its rows.
            long first = l.StartOf("weight") * (w.numel() / w.shape[0]), count = l.ShapeOf("weight").Aggregate(1L, (a, b) => a * b);
            var index = Enumerable.Range(0, SamplesPerParameter).Select(_ => first + random.NextInt64(count)).Distinct().Order().ToArray();
            return (w, $"{l.Name}.weight", l.Name, index, tensor(index, device: w.device));
        }).ToArray();
        sampleCount = samples.Sum(s => s.Index.Length);
    }

    /// <summary>
    /// The tracker of a session's run (<see cref="TrainingSessionOptions.BuiltIn"/>): every symmetry set
    /// into <c>layers/</c>, <c>neurons/</c>, the raw-parameter <c>samples/</c> and, with scale groups,
    /// <c>equilibrium/</c>; null when <see cref="RunSpec.Track"/> is off.
    /// </summary>
    public static ITrackedQuantity? Create(QuantitySetup setup)
    {
        if (!setup.Spec.Track) return null;
        TrajectoryWriter Open(string folder, IReadOnlyList<TrajectoryColumn> columns) => setup.Table(folder, columns).Writer;
        var layers = Open(TrajectorySchema.LayersFile, TrajectorySchema.LayersColumns);
        var neurons = Open(TrajectorySchema.NeuronsFile, TrajectorySchema.NeuronsColumns);
        var samples = Open(TrajectorySchema.SamplesFile, TrajectorySchema.SamplesColumns);
        // Only models with scale groups (a normalisation after a layer) have an equilibrium to show.
        var equilibrium = setup.Analysis.Count(SymmetryKind.Scale) > 0 ? Open(TrajectorySchema.EquilibriumFile, TrajectorySchema.EquilibriumColumns) : null;
        return new SymmetryTracker(setup.Analysis, setup.LiveOptimizer, setup.Spec.Optimizer, setup.Parameters,
            new TrackerSinks(layers, neurons, samples, setup.Board, equilibrium), setup.Spec.Seed, setup.Reader);
    }

    /// <summary>
    /// Steps whose measurements wait on the device before they come to the host together, for a
    /// tracker with its own reader (default 50; 1 reads every step); a session's tracker reads with
    /// the session (<see cref="DeviceReader.ReadEvery"/>). Rows and <see cref="Errors"/> of those steps
    /// appear at the copy. On the CPU, where the sums are taken from memory, every step is processed at
    /// once and this does not apply.
    /// </summary>
    public int FlushEvery
    {
        get => reader.ReadEvery;
        init => reader.ReadEvery = value;
    }

    /// <summary>θ and g, the momentum buffer vₙ and, for the laws that need it (Adam, AdamW, Nesterov), the applied update Δθ.</summary>
    public QuantityNeeds Needs => QuantityNeeds.Velocity | (update is null ? QuantityNeeds.None : QuantityNeeds.Update);

    /// <summary>Every step (the laws advance over every update), and the state after the last update.</summary>
    public QuantitySchedule Schedule => QuantitySchedule.EveryStep;

    /// <summary>layers/, neurons/, samples/ and equilibrium/, those it writes.</summary>
    public IReadOnlyList<QuantityTable> Tables { get; }

    /// <summary>Observes the step (<see cref="Observe"/>; per-group rows at logged steps).</summary>
    public void Compute(StepContext step) => Observe(step.Step, step.Logged);

    /// <summary>Settings the theory does not cover, per set (empty when every set has predictions after step 0).</summary>
    public IEnumerable<string> Unavailable
    {
        get
        {
            Flush();
            return sets.Select(s => s.PredictionUnavailable).OfType<string>().Distinct().ToList();
        }
    }

    /// <summary>Number of groups tracked.</summary>
    public long Groups => sets.Sum(s => (long)s.Count);

    /// <summary>Relative errors so far, per kind and predictor, over groups and logged steps (pending steps flushed first).</summary>
    public ErrorSummary Errors
    {
        get
        {
            Flush();
            return errors;
        }
    }

    /// <summary>Bytes the tracker holds per group (its double arrays; the predictor's share included).</summary>
    public long StateBytes => SaveState().Values.Sum(v => (long)v.Length * sizeof(double));

    /// <summary>
    /// Measures step <paramref name="step"/> (θₙ, gₙ and the momentum buffer vₙ) on the device. When
    /// the values come to the host (every <see cref="FlushEvery"/> steps, or at <see cref="Flush"/>)
    /// the predictions advance over update n−1, the layer rows are written and, when
    /// <paramref name="logNeurons"/>, the per-group rows, raw-parameter samples and TensorBoard scalars.
    /// </summary>
    public void Observe(long step, bool logNeurons)
    {
        if (HostKernel && ObserveOnHost(step, logNeurons)) return;
        Tensor? measured = null;
        if (reductions.Length > 0)
        {
            // Detached from every scope: it lives until the flush.
            using var scope = NewDisposeScope();
            measured = reductions.MeasureOnDevice(velocity, update).DetachFromDisposeScope();
        }
        Tensor? sampled = null;
        if (logNeurons && sinks.Samples is not null && sampleCount > 0)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var picked = new Tensor[samples.Length];
            for (int i = 0; i < picked.Length; i++)
                picked[i] = samples[i].Param.detach().view(-1).index_select(0, samples[i].IndexTensor).to(ScalarType.Float64);
            sampled = cat(picked, 0).DetachFromDisposeScope();
        }
        if (measured is null && sampled is null)
        {
            if (pending > 0) Flush();
            Process(step, logNeurons, [], []);
            return;
        }
        int length = measured is null ? 0 : (int)measured.numel();
        Tensor values;
        using (var scope = NewDisposeScope())
        {
            values = (measured is null ? sampled! : sampled is null ? measured : cat([measured, sampled], 0)).DetachFromDisposeScope();
            if (!ReferenceEquals(values, measured)) measured?.Dispose();
            if (!ReferenceEquals(values, sampled)) sampled?.Dispose();
        }
        pending++;
        reader.Defer(step, values, host =>
        {
            pending--;
            Process(step, logNeurons, host[..length], host[length..]);
        });
    }

    /// <summary>
    /// Whether, with every tensor it reads in CPU memory, the tracker sums straight from that memory
    /// and processes the step at once (true, the default), or measures with tensor operations and
    /// defers the copy as on a GPU (false: tests of the device path run on the CPU).
    /// </summary>
    internal bool HostKernel { get; init; } = true;

    // The CPU: no queue to wait for, nothing to defer. False when some tensor is not host float32 memory.
    private bool ObserveOnHost(long step, bool logNeurons)
    {
        double[] values = [];
        if (reductions.Length > 0 && !reductions.TryMeasureOnHost(velocity, update, out values!)) return false;
        double[] sampled = [];
        if (logNeurons && sinks.Samples is not null && sampleCount > 0)
        {
            sampled = new double[sampleCount];
            int at = 0;
            foreach (var s in samples)
            {
                if (!HostMemory.TryGetSingles(s.Param, out var theta)) return false;
                foreach (long index in s.Index) sampled[at++] = theta[(int)index];
            }
        }
        if (pending > 0) Flush();
        Process(step, logNeurons, values, sampled);
        return true;
    }

    /// <summary>
    /// Brings the pending steps' measurements to the host in one copy (with every other value the
    /// reader holds) and, step by step in order, advances the predictions and writes their rows (as
    /// <see cref="Observe"/> describes). Call it before the sinks are flushed for a checkpoint and when
    /// training ends; <see cref="SaveState"/>, <see cref="Errors"/> and <see cref="Unavailable"/> call it themselves.
    /// </summary>
    public void Flush() => reader.Flush();

    private void Process(long step, bool logNeurons, double[] values, double[] sampled)
    {
        double time = clock.Time(step);
        foreach (var set in sets)
        {
            var record = set.Observe(step, values);
            WriteLayerRow(record, time);
            WriteEquilibriumRow(record, time, step);
            if (logNeurons) WriteNeuronRows(record, time, step);
        }
        if (sampled.Length > 0) WriteSamples(sampled, step, time);
    }

    /// <summary>
    /// What the law of one set is built from: its parameters' group λ (a set whose parameters carry
    /// different λ, such as no weight decay on biases or norms, gets the law of each λ class where the
    /// optimizer's theory derives one), the clock and the settings; the optimizer's theory chooses the law.
    /// </summary>
    private SetLawContext Theory(SymmetryGroupSet set, IOptimizer optimizer, OptimizerSettings settings)
    {
        var parts = set.A.Concat(set.B).Select(s => names.TryGetValue(s.Tensor, out var n) ? n : null).OfType<string>()
            .Distinct().Select(n => (Name: n, Lambda: optimizer.GroupOf(n).WeightDecay)).ToList();
        return new SetLawContext(set, reductions, clock, settings, parts, s => optimizer.GroupOf(names[s.Tensor]).WeightDecay);
    }

    private void WriteLayerRow(SetStep r, double time)
    {
        if (sinks.Layers is null) return;
        var set = r.Tracker.Set;
        double theory = r.AngularSpeedTheory;
        sinks.Layers.AddRow().Long(r.Step).Double(time).String(set.Layer).String(set.Kind.Name()).Int(r.Tracker.Count)
            .Double(r.Q.Sum()).Double(Sum(r.GradientFlow)).Double(Sum(r.Continuous)).Double(Sum(r.Discrete))
            .Double(r.Terms.Sum()).Double(Sum(r.Forcing)).Double(r.AngularSpeed is null ? double.NaN : r.AngularSpeed.Average())
            .Double(theory).End();
    }

    private void WriteEquilibriumRow(SetStep r, double time, long step)
    {
        if (sinks.Equilibrium is null || r.Tracker.Set.Kind != SymmetryKind.Scale) return;
        double eta = clock.LearningRate(Math.Max(0, step - 1));
        // Angle per step = the speed per unit time × the step's time ηₙ(1−α).
        double angle = r.AngularSpeed is null ? double.NaN : eta * clock.TimeScale * r.AngularSpeed.Average();
        double norm = r.Q.Average(Math.Sqrt);
        double equilibrium = r.EquilibriumNorm is null ? double.NaN : r.EquilibriumNorm.Average();
        sinks.Equilibrium.AddRow().Long(step).Double(time).String(r.Tracker.Set.Layer).Double(eta).Double(angle)
            .Double(r.AngularUpdateTheory).Double(norm).Double(equilibrium).End();
    }

    private void WriteNeuronRows(SetStep r, double time, long step)
    {
        var set = r.Tracker.Set;
        string kind = set.Kind.Name();
        // The one definition of the relative error (ErrorSummary.RelativeError), as the report's.
        errors.AddAll(set.Kind, TrajectorySchema.GradientFlow, step, r.GradientFlow, r.Q, r.Terms);
        errors.AddAll(set.Kind, TrajectorySchema.Continuous, step, r.Continuous, r.Q, r.Terms);
        errors.AddAll(set.Kind, TrajectorySchema.Discrete, step, r.Discrete, r.Q, r.Terms);
        if (sinks.Neurons is { } neurons)
        {
            // A block of rows, a column at a time (TrajectorySchema.NeuronsColumns' order); a missing prediction is NaN.
            var rows = neurons.AddRows(r.Q.Length);
            rows.Longs(0).Fill(step);
            rows.Doubles(1).Fill(time);
            rows.Strings(2).Fill(set.Layer);
            rows.Strings(3).Fill(kind);
            var units = rows.Ints(4);
            for (int u = 0; u < units.Length; u++) units[u] = u;
            r.Q.CopyTo(rows.Doubles(5));
            Column(r.GradientFlow, rows.Doubles(6));
            Column(r.Continuous, rows.Doubles(7));
            Column(r.Discrete, rows.Doubles(8));
            r.Terms.CopyTo(rows.Doubles(9));
            Column(r.Forcing, rows.Doubles(10));
            rows.End();
        }
        if (sinks.TensorBoard is { } tb)
        {
            string tag = $"{kind}/{set.Layer}";
            tb.AddScalar($"{tag}/empirical", r.Q.Sum(), step);
            tb.AddScalar($"{tag}/{TrajectorySchema.GradientFlow}", Sum(r.GradientFlow), step);
            tb.AddScalar($"{tag}/{TrajectorySchema.Continuous}", Sum(r.Continuous), step);
            tb.AddScalar($"{tag}/{TrajectorySchema.Discrete}", Sum(r.Discrete), step);
        }
    }

    private static void Column(double[]? values, Span<double> into)
    {
        if (values is null) into.Fill(double.NaN);
        else values.CopyTo(into);
    }

    private void WriteSamples(double[] sampled, long step, double time)
    {
        int at = 0;
        foreach (var s in samples)
            foreach (var index in s.Index)
                sinks.Samples!.AddRow().Long(step).Double(time).String(s.Layer).String(s.Name).Long(index).Double(sampled[at++]).End();
    }

    private static double Sum(double[]? values) => values is null ? double.NaN : values.Sum();

    /// <summary>Everything needed to continue exactly after a restart (pending steps flushed first).</summary>
    public Dictionary<string, double[]> SaveState()
    {
        Flush();
        var state = errors.SaveState();
        foreach (var set in sets)
            foreach (var (key, v) in set.SaveState()) state[key] = v;
        return state;
    }

    /// <summary>Restores <see cref="SaveState"/>'s output (steps observed before it are flushed first).</summary>
    public void LoadState(IReadOnlyDictionary<string, double[]> state)
    {
        Flush();
        errors.LoadState(state);
        foreach (var set in sets) set.LoadState(state);
    }
}
