using NeuralMechanics.Cli.Commands;
using NeuralMechanics.Toys;

namespace NeuralMechanics.Tests.Toys;

/// <summary>Closed forms of Fig. 4 and 7 match fine RK4, and the modified equations track the discrete iterates better.</summary>
public class ModifiedEquationTests
{
    private static readonly Vec2 W0 = QuadraticLoss.DefaultStart;

    private static Vec2 A(Vec2 w) => QuadraticLoss.Gradient(w);

    [Fact]
    public void QuadraticClosedFormsMatchFineRk4()
    {
        var q = new QuadraticLoss();
        const double eta = 0.15, beta = 0.7, t = 3.0;
        const int steps = 30_000;
        var gf = Rk4Trajectory.Integrate(w => -A(w), W0, t, steps)[^1];
        var ml = Rk4Trajectory.Integrate(w => -A(w) - (eta / 2) * A(A(w)), W0, t, steps)[^1];
        var mf = Rk4Trajectory.Integrate(w => (-1 / (1 - beta)) * A(w), W0, t, steps)[^1];
        // (η/2)(1+β)w'' + (1−β)w' = −Aw, w'(0) = 0.
        double mass = eta / 2 * (1 + beta);
        var mm = Rk4Trajectory.IntegrateSecondOrder((w, v) => (1 / mass) * (-(1 - beta) * v - A(w)), W0, new Vec2(0, 0), t, steps)[^1];
        AssertClose(gf, q.GradientFlow(W0, t), 1e-11);
        AssertClose(ml, q.ModifiedLossFlow(W0, eta, t), 1e-11);
        AssertClose(mf, q.MomentumFlow(W0, beta, t), 1e-11);
        AssertClose(mm, q.ModifiedMomentumFlow(W0, eta, beta, t), 1e-11);
        var v0 = new Vec2(0.3, -0.8);
        var mmv = Rk4Trajectory.IntegrateSecondOrder((w, v) => (1 / mass) * (-(1 - beta) * v - A(w)), W0, v0, t, steps)[^1];
        AssertClose(mmv, q.ModifiedMomentumFlow(W0, v0, eta, beta, t), 1e-11);
    }

    [Fact]
    public void EigendecompositionReconstructsA()
    {
        var q = new QuadraticLoss();
        // trace 4.5 and determinant 2.75 fix the eigenvalues (4.5 ± √9.25)/2.
        Assert.Equal((4.5 + Math.Sqrt(9.25)) / 2, q.Eigenvalues[0], 1e-14);
        Assert.Equal((4.5 - Math.Sqrt(9.25)) / 2, q.Eigenvalues[1], 1e-14);
        AssertClose(A(W0), new Vec2(2.5 * W0.X - 1.5 * W0.Y, -1.5 * W0.X + 2 * W0.Y), 1e-15);
        // At t = 0 every continuous model starts at w0.
        AssertClose(W0, q.GradientFlow(W0, 0), 1e-15);
        AssertClose(W0, q.ModifiedMomentumFlow(W0, 0.1, 0.7, 0), 1e-15);
    }

    [Fact]
    public void CircularClosedFormsMatchFineRk4AndEulerSpiralsOutBySqrtOnePlusEtaSquared()
    {
        const double eta = 0.1, t = 2 * Math.PI;
        var exact = Rk4Trajectory.Integrate(CircularMotion.Field, CircularMotion.Start, t, 20_000)[^1];
        var modified = Rk4Trajectory.Integrate(x => CircularMotion.Field(x) + (eta / 2) * x, CircularMotion.Start, t, 20_000)[^1];
        AssertClose(exact, CircularMotion.Exact(t), 1e-12);
        AssertClose(modified, CircularMotion.Modified(eta, t), 1e-12);
        var euler = CircularMotion.Euler(eta, 63);
        Assert.Equal(Math.Pow(1 + eta * eta, 63 / 2.0), euler[^1].Length, 1e-12);
    }

    [Fact]
    public void ModifiedLossFlowIsSevenTimesCloserToGradientDescentAtTheDefaultLearningRate()
    {
        // η = 0.1, 40 steps: gradient flow 0.0227, modified loss 0.00316 mean distance (factor 7.2).
        var panel = DiscretizationPanel.GradientDescent(ToyCommand.DefaultLearningRate, 40);
        double plain = panel.MeanDistance(panel.Models[0]), modified = panel.MeanDistance(panel.Models[1]);
        Assert.True(plain / modified >= 7, $"factor {plain / modified:F2}");
    }

    [Fact]
    public void ModifiedMomentumFlowIsTwiceAsCloseToHeavyBallAtTheDefaultSettings()
    {
        // η = 0.1, β = 0.7, 40 steps: momentum flow 0.104, modified flow 0.0441 mean distance (factor 2.4).
        var panel = DiscretizationPanel.Momentum(ToyCommand.DefaultLearningRate, ToyCommand.DefaultMomentum, 40);
        double plain = panel.MeanDistance(panel.Models[0]), modified = panel.MeanDistance(panel.Models[1]);
        Assert.True(plain / modified >= 2, $"factor {plain / modified:F2}");
    }

    [Fact]
    public void ModifiedCircularFlowIsTenTimesCloserToEulerAtTheDefaultLearningRate()
    {
        // η = 0.1 over one turn (63 steps): exact flow 0.175, modified 0.0130 mean distance (factor 13.5).
        var panel = DiscretizationPanel.Circle(ToyCommand.DefaultLearningRate, 63);
        double plain = panel.MeanDistance(panel.Models[0]), modified = panel.MeanDistance(panel.Models[1]);
        Assert.True(plain / modified >= 10, $"factor {plain / modified:F2}");
    }

    [Theory]
    [InlineData(0.02, 0.3)]
    [InlineData(0.05, 0.5)]
    [InlineData(0.2, 0.9)]
    public void ModifiedModelsAreCloserForOtherSettingsToo(double eta, double beta)
    {
        var gd = DiscretizationPanel.GradientDescent(eta, 40);
        var circle = DiscretizationPanel.Circle(eta, 40);
        var momentum = DiscretizationPanel.Momentum(eta, beta, 40);
        Assert.True(gd.MeanDistance(gd.Models[1]) < gd.MeanDistance(gd.Models[0]));
        Assert.True(circle.MeanDistance(circle.Models[1]) < circle.MeanDistance(circle.Models[0]));
        // The modified momentum flow started with the first step's velocity beats both others everywhere.
        double flow = momentum.MeanDistance(momentum.Models[0]), paper = momentum.MeanDistance(momentum.Models[1]), matched = momentum.MeanDistance(momentum.Models[2]);
        Assert.True(matched < paper && matched < flow, $"momentum flow {flow:E3}, w'(0)=0 {paper:E3}, w'(0)=−g {matched:E3}");
    }

    [Fact]
    public void PapersZeroInitialVelocityLosesToMomentumFlowAtSmallEtaAndBeta()
    {
        // η = 0.02, β = 0.3: momentum flow 0.0155, modified flow with w'(0) = 0 0.0163, with w'(0) = −g(w₀) 0.0046.
        // The paper's initial condition leaves an O(η) offset, as large as momentum flow's own O(η) error.
        var panel = DiscretizationPanel.Momentum(0.02, 0.3, 40);
        Assert.True(panel.MeanDistance(panel.Models[1]) > panel.MeanDistance(panel.Models[0]));
        Assert.True(panel.MeanDistance(panel.Models[2]) < panel.MeanDistance(panel.Models[0]) / 3);
    }

    private static void AssertClose(Vec2 expected, Vec2 actual, double tolerance) =>
        Assert.True((expected - actual).Length <= tolerance, $"expected {expected}, got {actual} (|Δ| = {(expected - actual).Length:E2})");
}
