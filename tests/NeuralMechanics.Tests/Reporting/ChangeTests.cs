using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public sealed class ChangeTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-change-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly SyntheticRun Spec = new(WeightDecay: 5e-3, Units: 4, Layers: 2, Steps: 50, LogEvery: 5, Samples: false);

    private ReportRun Load() => ReportRun.Load("run", Spec.Write(Path.Combine(root, "run")));

    [Fact]
    public void ALayersChangeIsItsDistanceFromTheFirstValueOverItsTermsThere()
    {
        // Layer sums of the synthetic run: empirical Σ c_u(1 + ε_u), terms Σ |c_u|, continuous Σ c_u (SyntheticRun).
        double Sum(Func<int, double> f) => Enumerable.Range(0, Spec.Units).Sum(f);
        double Empirical(double t) => Sum(u => Spec.Continuous("rescale", 1, u, t) * (1 + SyntheticRun.Epsilon(u)));
        double Predicted(double t) => Sum(u => Spec.Continuous("rescale", 1, u, t));
        var terms0 = Sum(u => Math.Abs(Spec.Continuous("rescale", 1, u, 0)));
        var change = Change.OfLayer(Load(), "rescale", "conv2", relative: true);
        Assert.Equal(50, change.Empirical.Count);
        for (var step = 0; step < 50; step += 7)
        {
            var t = Spec.Time(step);
            Assert.Equal((Empirical(t) - Empirical(0)) / terms0, change.Empirical.Values[step], 1e-12);
            // A prediction's change is measured from the same measured start Q(0).
            Assert.Equal((Predicted(t) - Empirical(0)) / terms0, change.Continuous.Values[step], 1e-12);
        }
        Assert.Equal(0, change.Empirical.Values[0]);
        Assert.Equal(change.Empirical.Values[^1], change.Final);
    }

    [Fact]
    public void TheNeuronsDrawnAreThoseWithTheLargestRelativeChangeOverTheRun()
    {
        // Per group: (e(T) − e(0)) / |c(0)| at the last logged step (45), e = c(1 + ε_u).
        double Relative(int u)
        {
            double c0 = Spec.Continuous("rescale", 0, u, 0), cT = Spec.Continuous("rescale", 0, u, Spec.Time(45));
            var e = 1 + SyntheticRun.Epsilon(u);
            return (cT * e - c0 * e) / Math.Abs(c0);
        }
        var expected = Enumerable.Range(0, Spec.Units).OrderByDescending(u => Math.Abs(Relative(u))).Take(NeuronFigure.UnitsPerLayer).ToList();
        var chosen = NeuronFigure.LargestChanges(Load(), "rescale", "conv1");
        Assert.Equal(expected, chosen.Select(c => c.Unit));
        Assert.All(chosen, c => Assert.Equal(Relative(c.Unit), c.Change, 1e-12));
    }

    [Fact]
    public void FlatCurvesAtDistantValuesShowNoChangeAndTheirFigureGivesWayToTheChangeFigure()
    {
        // The rescale sums of a short MLP run: fc2 near 82 and fc1 near 0, each moving by 0.01.
        var time = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var flat = new Panel("flat", "Q");
        flat.Empirical(new Series(time, time.Select(t => 82 + 1e-4 * t).ToArray()), FigureStyle.Category(0));
        flat.Empirical(new Series(time, time.Select(t => -1e-4 * t).ToArray()), FigureStyle.Category(1));
        // Each curve spans 0.0099 of an axis from −0.0099 to 82.0099.
        Assert.Equal(0.0099 / 82.0198, flat.VisibleChange(), 1e-9);
        Assert.Contains("see the change figure", Readability.Unreadable([flat], "the change figure"));

        // One curve that crosses a tenth of the axis makes the figure readable.
        var moving = new Panel("moving", "Q");
        moving.Empirical(new Series(time, time.Select(t => 82 + 0.1 * t).ToArray()), FigureStyle.Category(0));
        moving.Empirical(new Series(time, time.Select(t => -1e-4 * t).ToArray()), FigureStyle.Category(1));
        Assert.Equal(9.9 / 91.9099, moving.VisibleChange(), 1e-9);
        Assert.Null(Readability.Unreadable([flat, moving], "the change figure"));
    }

    [Fact]
    public void TheColumnSumFigureIsDrawnWhereWeightDecayVisiblyShrinksTheSumsAndSkippedWhereItDoesNot()
    {
        // Column sums ±(0.5 + 0.05u) decay as e^{−λt} up to t = 19.9: by 63 % at λ = 0.05, by 1 % at λ = 5×10⁻⁴.
        var visible = new SyntheticRun(Model: "mlp", WeightDecay: 0.05, Units: 4, Layers: 1, Samples: false).Write(Path.Combine(root, "visible"));
        var hidden = new SyntheticRun(Model: "mlp", WeightDecay: 5e-4, Units: 4, Layers: 1, Samples: false).Write(Path.Combine(root, "hidden"));
        Assert.True(Reporter.Write([visible], Path.Combine(root, "out-visible")).Figures.Single(f => f.Id == "translation").IsWritten);
        var skipped = Reporter.Write([hidden], Path.Combine(root, "out-hidden")).Figures.Single(f => f.Id == "translation");
        Assert.StartsWith("every curve changes by less than 5 % of its panel's axis", skipped.SkipReason);
    }

    [Fact]
    public void ThePerNeuronTranslationFigureShowsTheFinalLayersColumnsFirst()
    {
        // Translation sets of the synthetic run: only fc3.weight; a BatchNorm model's biases come first in network order.
        var run = Load();
        Assert.Equal([SyntheticRun.FinalWeight], NeuronFigure.Sets(run, "translation"));
        Assert.Equal(["conv1", "conv2"], NeuronFigure.Sets(run, "rescale"));
    }
}
