using NeuralMechanics.Models;
using NeuralMechanics.Reporting;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>One definition of a prediction's relative error, for train's console table and the report alike.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class RelativeErrorTests
{
    [Fact]
    public void TheRelativeErrorIsMeasuredAgainstTheTermsNotTheQuantity()
    {
        // A rescale group with Q = |θ_A1|² − |θ_A2|² = 0.01 near zero, terms = |θ_A1|² + |θ_A2|² = 2: an error of 0.001
        // is 5×10⁻⁴ of the terms (and would be 10 % of the quantity).
        Assert.Equal(5e-4, ErrorSummary.RelativeError(7, 0.011, 0.01, 2), 1e-15);
        Assert.Equal(0, ErrorSummary.RelativeError(7, 0.01, 0.01, 2));
    }

    [Fact]
    public void StepZeroPredictionsThatDoNotApplyAndGroupsWithoutSizeAreNotCounted()
    {
        Assert.True(double.IsNaN(ErrorSummary.RelativeError(0, 1.5, 1, 2)));            // every prediction starts at Q(0)
        Assert.True(double.IsNaN(ErrorSummary.RelativeError(3, double.NaN, 1, 2)));     // e.g. the oscillator without momentum
        Assert.True(double.IsNaN(ErrorSummary.RelativeError(3, 1, double.NaN, 2)));
        Assert.True(double.IsNaN(ErrorSummary.RelativeError(3, 1, 1, 0)));
        Assert.True(double.IsNaN(ErrorSummary.RelativeError(3, 1, 1, double.PositiveInfinity)));

        var summary = new ErrorSummary();
        summary.Add(SymmetryKind.Scale, "discrete", 0, 2, 1, 1);
        summary.Add(SymmetryKind.Scale, "discrete", 1, 1, 1, 0);
        summary.Add(SymmetryKind.Scale, "discrete", 1, 1.25, 1, 1);
        var row = Assert.Single(summary.Rows());
        Assert.Equal((1L, 0.25), (row.Count, row.Max));
    }

    [Fact]
    public void TheMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValuesToWithinHalfABin()
    {
        var summary = new ErrorSummary();
        foreach (var e in new[] { 1e-9, 1e-3, 4e-3, 1 }) summary.Add(SymmetryKind.Rescale, "continuous", e);
        var median = Assert.Single(summary.Rows()).Median;
        Assert.InRange(median, 2.5e-3 / 1.03, 2.5e-3 * 1.03);
        summary.Add(SymmetryKind.Rescale, "continuous", 5e-3);
        Assert.InRange(Assert.Single(summary.Rows()).Median, 4e-3 / 1.03, 4e-3 * 1.03);
    }

    [Fact]
    public void TheReportPrintsTheSameErrorsAsTrainsConsoleForTheSameRun()
    {
        using var dir = new Data.TempDirectory();
        var result = Trainer.Run(new RunSpec
        {
            Model = "mlp", ModelOptions = new ModelOptions(Depth: 2, Hidden: 16), Data = "synthetic:1x8x8:4", TrainLimit = 512,
            Steps = 40, BatchSize = 32, Seed = 3, Optimizer = new SgdSettings(0.1, 1e-3), LogEvery = 4, CheckpointEvery = 0, OutDir = dir.Path,
        });
        var report = PredictionErrors.Of(ReportRun.Load("run", dir.Path));
        Assert.NotEmpty(result.Errors);
        Assert.Equal(
            result.Errors.Select(e => (e.Kind.Name(), e.Predictor, e.Count, e.Median, e.Max)),
            report.Select(e => (e.Kind, e.Predictor, e.Count, e.Median, e.Max)));
        // Every logged step but step 0 (4, 8, …, 40, the state after the last update) for every group:
        // 16 + 1 translation groups (the final layer's columns and its bias), 2 × 16 rescale groups.
        Assert.All(result.Errors.Where(e => e.Kind == SymmetryKind.Translation), e => Assert.Equal(17 * 10, e.Count));
        Assert.All(result.Errors.Where(e => e.Kind == SymmetryKind.Rescale), e => Assert.Equal(32 * 10, e.Count));
    }
}
