using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>
/// Writes a run folder with synthetic trajectories of known values, as training would
/// (RunDirectory + TrajectoryWriter). Every group's continuous prediction c(t) is a closed form;
/// the empirical value is c·(1 + ε_u) with ε_u = (u mod 4 + 1)·10⁻³ and terms = |c|, so the
/// continuous prediction's relative errors are exactly the ε_u; the discrete prediction equals the
/// empirical value (error 0); gradient flow is Q(0) for translation and scale and does not apply
/// (NaN) to rescale. metrics/ holds a loss that falls from ln 200 to a fifth of it (or, for a run that
/// <see cref="Learns"/> not, stays within 0.5 % of ln 200) and an accuracy that rises toward 0.9.
/// </summary>
internal sealed record SyntheticRun(
    string Model = "vgg16-bn",
    double LearningRate = 0.1,
    double WeightDecay = 5e-4,
    double Momentum = 0,
    double Dampening = 0,
    long Steps = 200,
    int LogEvery = 5,
    int Units = 16,
    int Layers = 4,
    bool Samples = true,
    bool Learns = true,
    double? TestAccuracy = null)
{
    public const int Classes = 200;

    public const string FinalWeight = "fc3.weight";

    public bool BatchNorm => Model.EndsWith("-bn", StringComparison.Ordinal);
    public SgdSettings Optimizer => new(LearningRate, WeightDecay, Momentum, Dampening);
    public double Time(long step) => Optimizer.TimePerStep * step;

    public static double Epsilon(int unit) => (unit % 4 + 1) * 1e-3;

    /// <summary>The angular_speed_theory column of scale rows: √(2λ/η).</summary>
    public double StationarySpeed => Math.Sqrt(2 * WeightDecay / LearningRate);

    /// <summary>The angular_speed column of scale rows (every layer alike): decays toward 0.05 above the stationary value.</summary>
    public double AngularSpeed(long step) => (StationarySpeed + 0.05) * (1 + 2 * Math.Exp(-Time(step) / 3)) * (1 + 0.1 * Math.Sin(step));

    /// <summary>The training loss of a step's batch.</summary>
    public double Loss(long step) => Learns
        ? Math.Log(Classes) * (0.2 + 0.8 * Math.Exp(-step / 30.0))
        : Math.Log(Classes) * (1 + 0.005 * Math.Sin(step));

    /// <summary>The training accuracy of a step's batch.</summary>
    public double Accuracy(long step) => Learns ? 0.9 * (1 - Math.Exp(-step / 30.0)) * (1 + 0.02 * Math.Sin(step)) : 1.0 / Classes;

    /// <summary>Logged steps of neurons/ and samples/.</summary>
    public IEnumerable<long> LoggedSteps => Enumerable.Range(0, (int)Steps).Where(s => s % LogEvery == 0).Select(s => (long)s);

    public static double TranslationStart(int unit) => (unit % 2 == 1 ? -1 : 1) * (0.5 + 0.05 * unit);

    /// <summary>The continuous prediction of one group at time t.</summary>
    public double Continuous(string kind, int layer, int unit, double t)
    {
        var l = WeightDecay;
        switch (kind)
        {
            case "translation":
                var decay = TranslationStart(unit) * Math.Exp(-l * t);
                return Momentum > 0 ? decay * Math.Cos(t * Momentum * 0.4) : decay;
            case "scale":
                double q0 = 1 + 0.1 * unit, a = 2 + 0.05 * unit, size = Math.Pow(10, layer);
                var drift = l == 0 ? 0.05 * t : 0;
                var swing = Momentum > 0 ? 0.2 * Math.Sin(t * Momentum * 0.5) * Math.Exp(-0.05 * t) : 0;
                return size * (a + (q0 - a) * Math.Exp(-2 * l * 40 * t) + drift + swing);
            default:
                return (0.35 - 0.2 * layer) * Math.Exp(-2 * l * 20 * t) * (1 + 0.2 * Math.Sin(0.3 * t + unit));
        }
    }

    public static string Layer(int layer) => $"conv{layer + 1}";

    private IEnumerable<(string Kind, string Layer, int Index)> Sets()
    {
        yield return ("translation", FinalWeight, 0);
        for (var l = 0; l < Layers; l++)
        {
            if (BatchNorm) yield return ("scale", Layer(l), l);
            yield return ("rescale", Layer(l), l);
        }
    }

    /// <summary>Writes the run to <paramref name="root"/> and returns it.</summary>
    public string Write(string root)
    {
        var manifest = new RunManifest
        {
            Spec = new RunSpec
            {
                Model = Model, Data = "tiny-imagenet", Optimizer = Optimizer, BatchSize = 256, Steps = Steps, Seed = 1, LogEvery = LogEvery,
            },
            InputShape = [3, 64, 64],
            Classes = Classes,
            Parameters = BatchNorm ? 18_075_912 : 18_067_464,
            SymmetryCounts = BatchNorm
                ? new() { ["translation"] = 5_249, ["scale"] = 4_224, ["rescale"] = 6_272 }
                : new() { ["translation"] = 1_025, ["scale"] = 0, ["rescale"] = 6_272 },
            SymmetryLayers = Sets().Select(s => new LayerGroupCount(s.Layer, s.Kind, Units)).ToList(),
        };
        var run = RunDirectory.Create(root, manifest);
        run.WriteStatus(RunStatus.Finished(TestAccuracy is { } test ? new RunOutcome(Steps, Loss(Steps - 1), Accuracy(Steps - 1), test, 42.5, Steps / 42.5) : null));
        using (var metrics = new TrajectoryWriter(run.MetricsFolder, TrajectorySchema.MetricsColumns))
            for (long step = 0; step < Steps; step++)
                metrics.AddRow().Long(step).Double(Time(step)).Double(Loss(step)).Double(Accuracy(step)).Double(LearningRate).End();
        var sets = Sets().ToList();
        using (var layers = new TrajectoryWriter(run.LayersFolder, TrajectorySchema.LayersColumns))
        using (var neurons = new TrajectoryWriter(run.NeuronsFolder, TrajectorySchema.NeuronsColumns))
        {
            for (long step = 0; step < Steps; step++)
            {
                var t = Time(step);
                foreach (var (kind, layer, index) in sets)
                {
                    double sumC = 0, sumE = 0, sumTerms = 0, sumQ0 = 0;
                    for (var u = 0; u < Units; u++)
                    {
                        var c = Continuous(kind, index, u, t);
                        var e = c * (1 + Epsilon(u));
                        var q0 = kind == "rescale" ? double.NaN : Continuous(kind, index, u, 0);
                        (sumC, sumE, sumTerms, sumQ0) = (sumC + c, sumE + e, sumTerms + Math.Abs(c), sumQ0 + q0);
                        if (step % LogEvery == 0)
                            neurons.AddRow().Long(step).Double(t).String(layer).String(kind).Int(u).Double(e)
                                .Double(q0).Double(c).Double(e).Double(Math.Abs(c)).Double(0.01).End();
                    }
                    var theory = kind == "scale" ? StationarySpeed : double.NaN;
                    var speed = kind == "scale" ? AngularSpeed(step) : double.NaN;
                    layers.AddRow().Long(step).Double(t).String(layer).String(kind).Int(Units).Double(sumE)
                        .Double(sumQ0).Double(sumC).Double(sumE).Double(sumTerms).Double(0.01).Double(speed).Double(theory).End();
                }
            }
        }
        if (Samples)
        {
            using var samples = new TrajectoryWriter(Path.Combine(root, TrajectorySchema.SamplesFile), TrajectorySchema.SamplesColumns);
            foreach (var step in LoggedSteps)
                for (var l = 0; l < Layers; l++)
                    for (var k = 0; k < 3; k++)
                        samples.AddRow().Long(step).Double(Time(step)).String(Layer(l)).String($"{Layer(l)}.weight").Long(k)
                            .Double(0.1 * Math.Sin(0.07 * step * (k + 1) + l + k) + 0.01 * (step * 7919 % 13) / 13.0).End();
        }
        return root;
    }
}
