using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>Checkpoint round trip, refused settings and argument checks of <see cref="LayerPredictor"/>.</summary>
public class LayerPredictorContractTests
{
    private static double[] Forcing(int n) => [1 + Math.Sin(n), 0.2 * Math.Cos(n), -0.3];

    [Theory]
    [InlineData("scale", 0.1, 1e-3, 0, 0)]
    [InlineData("rescale", 0.1, 1e-3, 0.9, 0.1)]
    [InlineData("translation", 0.1, 1e-3, 0.99, 0)]
    [InlineData("translation", 0.1, 1e-3, 0, 0)]
    public void SavedStateResumesBitForBit(string kind, double lr, double wd, double momentum, double dampening)
    {
        var s = new SgdSettings(lr, wd, momentum, dampening);
        double[] q0 = [1.0, -2.0, 0.5];
        var straight = new LayerPredictor(SymmetryKindNames.Parse(kind), s, q0);
        for (int n = 0; n < 50; n++) straight.Advance(Forcing(n));
        var state = straight.SaveState();
        var resumed = new LayerPredictor(SymmetryKindNames.Parse(kind), s, [0.0, 0.0, 0.0]);
        resumed.LoadState(state);
        Assert.Equal(50, resumed.Step);
        Assert.Equal(straight.Continuous.ToArray(), resumed.Continuous.ToArray());
        Assert.Equal(straight.Discrete.ToArray(), resumed.Discrete.ToArray());
        for (int n = 50; n < 100; n++)
        {
            straight.Advance(Forcing(n));
            resumed.Advance(Forcing(n));
        }
        Assert.Equal(straight.GradientFlow.ToArray(), resumed.GradientFlow.ToArray());
        Assert.Equal(straight.Continuous.ToArray(), resumed.Continuous.ToArray());
        Assert.Equal(straight.Discrete.ToArray(), resumed.Discrete.ToArray());
    }

    [Fact]
    public void StateOfAnotherSetupIsRefusedWithAMessage()
    {
        var p = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.1), [1.0, 2.0]);
        var otherLr = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.2), [1.0, 2.0]);
        var otherCount = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.1), [1.0]);
        Assert.Contains("predictor state", Assert.Throws<InvalidInputException>(() => otherLr.LoadState(p.SaveState())).Message);
        Assert.Contains("predictor state", Assert.Throws<InvalidInputException>(() => otherCount.LoadState(p.SaveState())).Message);
        Assert.Contains("predictor state", Assert.Throws<InvalidInputException>(() => p.LoadState([1.0, 2.0])).Message);
    }

    [Fact]
    public void NesterovHasNoContinuousModelAndNeedsTheCrossTerm()
    {
        var p = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.1, 1e-3, 0.9, 0, Nesterov: true), [1.0]);
        Assert.True(double.IsNaN(p.Continuous[0]));
        Assert.Throws<ArgumentException>(() => p.Advance([1.0]));
        // First step: P̃ = λQ, Q' = Q − 2η(λQ + βλQ) + η²U, written out.
        p.Advance([4.0], 0.1, [3.0]);
        Assert.Equal(1 - 2 * 0.1 * (1e-3 + 0.9 * 1e-3) + 0.01 * 4.0, p.Discrete[0], 1e-15);
        Assert.True(double.IsNaN(p.Continuous[0]));
        Assert.StartsWith("nesterov:", Assert.Throws<InvalidInputException>(() => Stationary.AngularSpeed(new SgdSettings(0.1, 1e-3, 0.9, 0, Nesterov: true))).Message);
    }

    [Fact]
    public void MomentumWithFullDampeningIsRefused()
    {
        Assert.StartsWith("dampening:", Assert.Throws<InvalidInputException>(() =>
            new LayerPredictor(SymmetryKind.Rescale, new SgdSettings(0.1, 1e-3, 0.9, 1), [1.0])).Message);
    }

    [Fact]
    public void ForcingOfTheWrongLengthIsRejected()
    {
        var scale = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.1), [1.0, 2.0]);
        Assert.Throws<ArgumentException>(() => scale.Advance([1.0]));
        Assert.Throws<ArgumentException>(() => scale.Advance([]));
        var translation = new LayerPredictor(SymmetryKind.Translation, new SgdSettings(0.1, 0.1), [1.0, 2.0]);
        translation.Advance([]);
        translation.Advance([5.0, 6.0]);
        Assert.Equal(2, translation.Step);
        Assert.Equal(0.99 * 0.99 * 2.0, translation.Discrete[1], 1e-15);
    }
}
