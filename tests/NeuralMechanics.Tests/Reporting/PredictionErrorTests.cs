using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public sealed class PredictionErrorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-errors-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private ReportRun Load(SyntheticRun spec, string name = "run") => ReportRun.Load(name, spec.Write(Path.Combine(root, name)));

    [Fact]
    public void ContinuousErrorsAreTheRelativeDeviationsEpsilonOfEveryGroupAndStepAfterTheFirst()
    {
        // ε_u = 1, 2, 3, 4 (×10⁻³), each unit twice among 8: median (2 + 3)/2 = 2.5×10⁻³ (to within the summary's
        // half bin, 3 %), max 4×10⁻³ exactly. Logged steps 0, 10, 20, 30: step 0 is not counted.
        var spec = new SyntheticRun(Units: 8, Layers: 2, Steps: 40, LogEvery: 10, Samples: false);
        var rows = PredictionErrors.Of(Load(spec));
        foreach (var (kind, sets) in new[] { ("translation", 1), ("scale", 2), ("rescale", 2) })
        {
            var row = Assert.Single(rows, r => r.Kind == kind && r.Predictor == "continuous");
            Assert.InRange(row.Median, 2.5e-3 / 1.03, 2.5e-3 * 1.03);
            Assert.Equal(4e-3, row.Max, 1e-12);
            Assert.Equal(sets * 8 * 3, row.Count);
            Assert.Equal("run", row.Run);
        }
    }

    [Fact]
    public void TheErrorOverTimeIsTheMedianOverGroupsAtEachLoggedStepAfterTheFirst()
    {
        var spec = new SyntheticRun(Units: 8, Layers: 2, Steps: 40, LogEvery: 10, Samples: false);
        var run = Load(spec);
        var continuous = PredictionErrors.OverTime(run, "scale", "continuous");
        // Exact median of the 16 groups' ε (each of 1..4 ×10⁻³ four times) at t = 1, 2, 3 (η = 0.1).
        Assert.Equal([1.0, 2.0, 3.0], continuous.Time.Select(t => Math.Round(t, 12)));
        Assert.All(continuous.Values, v => Assert.Equal(2.5e-3, v, 1e-12));
        Assert.All(PredictionErrors.OverTime(run, "scale", "discrete").Values, v => Assert.Equal(0, v));
        Assert.True(PredictionErrors.OverTime(run, "rescale", "gradient_flow").IsEmpty);
    }

    [Fact]
    public void AnExactPredictionHasErrorZeroAndAPredictionThatDoesNotApplyHasNoRow()
    {
        var rows = PredictionErrors.Of(Load(new SyntheticRun(Units: 4, Layers: 2, Steps: 20, LogEvery: 5, Samples: false)));
        Assert.All(rows.Where(r => r.Predictor == "discrete"), r => Assert.Equal((0.0, 0.0), (r.Median, r.Max)));
        Assert.Equal(3, rows.Count(r => r.Predictor == "discrete"));
        // Gradient flow is NaN for rescale in the synthetic run: left out, not counted as an error.
        Assert.DoesNotContain(rows, r => r.Kind == "rescale" && r.Predictor == "gradient_flow");
        Assert.Contains(rows, r => r.Kind == "scale" && r.Predictor == "gradient_flow");
    }

    [Fact]
    public void GradientFlowErrorOfTranslationGrowsAsTheWeightDecayBreaksConservation()
    {
        // Q_flow = Q(0), empirical = Q(0)e^{−λt}(1 + ε), terms = |Q(0)|e^{−λt}: error |e^{λt} − 1 − ε|,
        // largest at the last logged step with the smallest ε (10⁻³). The maximum is kept exactly.
        var spec = new SyntheticRun(WeightDecay: 5e-3, Units: 8, Layers: 1, Steps: 200, LogEvery: 5, Samples: false);
        var row = Assert.Single(PredictionErrors.Of(Load(spec)), r => r.Kind == "translation" && r.Predictor == "gradient_flow");
        var lastTime = 0.1 * 195;
        Assert.Equal(Math.Exp(5e-3 * lastTime) - 1.001, row.Max, 1e-12);
    }

    [Fact]
    public void TheReportListsTheErrorTableOfEveryRun()
    {
        var a = new SyntheticRun(Model: "mlp", Units: 4, Layers: 1, Steps: 20, Samples: false).Write(Path.Combine(root, "a"));
        var b = new SyntheticRun(Model: "mlp", WeightDecay: 0, Units: 4, Layers: 1, Steps: 20, Samples: false).Write(Path.Combine(root, "b"));
        var summary = Reporter.Write([a, b], Path.Combine(root, "out"));
        Assert.Equal(["a", "b"], summary.Errors.Select(e => e.Run).Distinct());
        var md = File.ReadAllText(summary.MarkdownPath);
        // One row per run and kind: gradient flow, continuous and discrete medians and maxima; "—" where it does not apply.
        // Units 0..3 have ε = 1..4 ×10⁻³: the median is the mean of the centres of the bins of 2 and 3 ×10⁻³,
        // (10^(−18 + 612.5/40) + 10^(−18 + 619.5/40)) / 2 = 2.56×10⁻³.
        // Logged steps 5, 10, 15 (step 0 not counted) × 4 units = 12 values.
        Assert.Contains("| a | rescale | — | — | 2.56e-3 | 4.00e-3 | 0 | 0 | 12 |", md);
        Assert.Contains("| b | rescale | — | — | 2.56e-3 | 4.00e-3 | 0 | 0 | 12 |", md);
        var translation = md.Split('\n').Single(l => l.StartsWith("| a | translation |"));
        Assert.EndsWith("| 2.56e-3 | 4.00e-3 | 0 | 0 | 12 |", translation);
    }

    [Fact]
    public void TimeIsEtaTimesStepsAndWithMomentumEtaTimesOneMinusDampening()
    {
        var sgd = Load(new SyntheticRun(LearningRate: 0.2, Units: 2, Layers: 1, Steps: 11, Samples: false), "sgd");
        var momentum = Load(new SyntheticRun(LearningRate: 0.2, Momentum: 0.9, Dampening: 0.25, Units: 2, Layers: 1, Steps: 11, Samples: false), "momentum");
        Assert.Equal(0.2 * 10, sgd.LayerSeries("rescale", "conv1", "empirical").Time[10], 1e-15);
        Assert.Equal(0.2 * 0.75 * 10, momentum.LayerSeries("rescale", "conv1", "empirical").Time[10], 1e-15);
    }
}
