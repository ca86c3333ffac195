using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// Each stability threshold (<see cref="EdgeOfStability"/>, and the optimizer theory that names it)
/// against the optimizer itself: the library's own PyTorch-semantics optimizer on the quadratic
/// ½aθ² converges at a = 0.99·threshold and diverges at a = 1.01·threshold (float64; |θ| compared
/// between two late steps, so the start's transient is gone).
/// </summary>
public sealed class EdgeOfStabilityTests
{
    /// <summary>|θ_late| / |θ_early| of <paramref name="settings"/>' optimizer on ½aθ² from θ₀.</summary>
    private static double Growth(OptimizerSettings settings, double a, double theta0, int early, int late)
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(new[] { theta0 }, dtype: ScalarType.Float64));
        var optimizer = Optimizers.Create([new ParameterGroup("all", [("w", p)], settings.LearningRate, settings.WeightDecay)], settings);
        using Scalar half = a / 2;
        double atEarly = double.NaN, atLate = double.NaN;
        for (int n = 1; n <= late; n++)
        {
            using (var step = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                p.square().sum().mul(half).backward();
                optimizer.Step();
            }
            if (n == early) atEarly = Math.Abs(p.ReadDouble());
            if (n == late) atLate = Math.Abs(p.ReadDouble());
        }
        return atLate / atEarly;
    }

    private static void AssertEdge(OptimizerSettings settings, double threshold, double theta0 = 1, int early = 500, int late = 1000, double curvatureUnit = 1)
    {
        double below = Growth(settings, 0.99 * threshold * curvatureUnit, theta0, early, late);
        double above = Growth(settings, 1.01 * threshold * curvatureUnit, theta0, early, late);
        Assert.True(below < 1e-3, $"at 0.99 × threshold |θ| grew by {below:G3}");
        Assert.True(above > 1e3, $"at 1.01 × threshold |θ| grew by {above:G3}");
    }

    [Fact]
    public void GradientDescentIsStableUpToTwoOverEta()
    {
        const double eta = 0.05;
        OptimizerSettings sgd = new SgdSettings(eta);
        Assert.Equal(2 / eta, sgd.Theory.SharpnessThreshold(eta, 0), 12);
        Assert.Equal("2/η", sgd.Theory.SharpnessThresholdFormula);
        AssertEdge(sgd, EdgeOfStability.GradientDescent(eta));
    }

    [Fact]
    public void WithL2DecayGradientDescentIsStableWhileTheCurvaturePlusLambdaIsBelowTwoOverEta()
    {
        const double eta = 0.05, lambda = 3;
        OptimizerSettings sgd = new SgdSettings(eta, lambda);
        // The sharpness measured is that of H + λI: the loss's own curvature may only reach 2/η − λ.
        Assert.Equal("H + λI", sgd.Theory.SharpnessMeasure);
        double a = sgd.Theory.SharpnessThreshold(eta, lambda) - lambda;
        Assert.True(Growth(sgd, 0.99 * a, 1, 500, 1000) < 1e-3);
        Assert.True(Growth(sgd, 1.01 * a, 1, 500, 1000) > 1e3);
    }

    [Fact]
    public void HeavyBallMomentumIsStableUpToTwoTimesOnePlusBetaOverEtaTimesOneMinusDampening()
    {
        const double eta = 0.05, beta = 0.9, dampening = 0.3;
        OptimizerSettings plain = new SgdSettings(eta, 0, beta);
        OptimizerSettings damped = new SgdSettings(eta, 0, beta, dampening);
        Assert.Equal(2 * 1.9 / eta, plain.Theory.SharpnessThreshold(eta, 0), 10);
        Assert.Equal(2 * 1.9 / (eta * 0.7), damped.Theory.SharpnessThreshold(eta, 0), 10);
        AssertEdge(plain, EdgeOfStability.HeavyBall(eta, beta, 0));
        AssertEdge(damped, EdgeOfStability.HeavyBall(eta, beta, dampening));
    }

    [Fact]
    public void NesterovMomentumIsStableUpToTwoTimesOnePlusBetaOverEtaTimesOnePlusTwoBeta()
    {
        const double eta = 0.05, beta = 0.9;
        OptimizerSettings nesterov = new SgdSettings(eta, 0, beta, 0, Nesterov: true);
        Assert.Equal(2 * 1.9 / (eta * 2.8), nesterov.Theory.SharpnessThreshold(eta, 0), 10);
        AssertEdge(nesterov, EdgeOfStability.Nesterov(eta, beta, 0));
    }

    // ε ≫ √v̂ makes Adam's preconditioner the constant P → ε (after the bias correction's transient), so
    // the preconditioned curvature is a/ε; θ stays tiny, the iteration linear.
    private const double LargeEps = 1e4;

    [Fact]
    public void AdamIsStableWhileThePreconditionedSharpnessIsBelowTwoPlusTwoBetaOneOverOneMinusBetaOneTimesEta()
    {
        const double eta = 0.01;
        var adam = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = eta, Eps = LargeEps };
        Assert.Equal(3.8 / (0.1 * eta), adam.Theory.SharpnessThreshold(eta, 0), 8);
        Assert.Equal("P⁻¹(H + λI)", adam.Theory.SharpnessMeasure);
        AssertEdge(adam, EdgeOfStability.Adam(eta, 0.9, 0), theta0: 1e-200, early: 300, late: 600, curvatureUnit: LargeEps);
    }

    [Fact]
    public void AdamWsDecoupledDecayLowersTheThresholdToOnePlusBetaOneTimesTwoMinusEtaLambdaOverOneMinusBetaOneTimesEta()
    {
        const double eta = 0.01, lambda = 10;
        var adamw = new OptimizerSettings { Kind = OptimizerKind.AdamW, LearningRate = eta, WeightDecay = lambda, Eps = LargeEps };
        Assert.Equal(1.9 * 1.9 / (0.1 * eta), adamw.Theory.SharpnessThreshold(eta, lambda), 8);
        AssertEdge(adamw, EdgeOfStability.Adam(eta, 0.9, lambda), theta0: 1e-200, early: 300, late: 600, curvatureUnit: LargeEps);
    }

    [Fact]
    public void LionHasNoLinearStabilityThreshold()
    {
        var lion = new OptimizerSettings { Kind = LionDefinition.Lion, LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.99 };
        Assert.True(double.IsNaN(lion.Theory.SharpnessThreshold(1e-3, 0)));
    }
}
