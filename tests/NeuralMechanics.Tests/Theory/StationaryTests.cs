using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// The stationary angular speed against simulated training on the scale-invariant loss
/// L(θ) = c·arg(θ) in the plane, whose gradient c·Jθ/|θ|² is orthogonal to θ with |g| = c/|θ|.
/// </summary>
public class StationaryTests
{
    private static (double[] Theta, double[] V) Simulate(SgdSettings s, int steps)
    {
        const double c = 0.5;
        double[] theta = [1.0, 0.0], v = [0.0, 0.0];
        for (int n = 0; n < steps; n++)
        {
            double r2 = theta[0] * theta[0] + theta[1] * theta[1];
            double[] d = [-c * theta[1] / r2 + s.WeightDecay * theta[0], c * theta[0] / r2 + s.WeightDecay * theta[1]];
            for (int i = 0; i < 2; i++)
            {
                v[i] = s.Momentum == 0 || n == 0 ? d[i] : s.Momentum * v[i] + (1 - s.Dampening) * d[i];
                theta[i] -= s.LearningRate * v[i];
            }
        }
        return (theta, v);
    }

    [Fact]
    public void SgdReachesAngularSpeedSqrtTwoLambdaOverEta()
    {
        // At the discrete fixed point |g|²/|θ|² = 2λ/η − λ², so the relative gap is about ηλ/4.
        var s = new SgdSettings(0.1, 0.01);
        var (theta, _) = Simulate(s, 40_000);
        double r2 = theta[0] * theta[0] + theta[1] * theta[1];
        double speed = 0.5 / Math.Sqrt(r2) / Math.Sqrt(r2); // |dθ/dt|/|θ| with dθ/dt = −g
        Assert.Equal(Math.Sqrt(2 * 0.01 / 0.1), Stationary.AngularSpeed(s), 15);
        Assert.Equal(1, speed / Stationary.AngularSpeed(s), 1e-3);
    }

    [Fact]
    public void MomentumReachesAngularSpeedOfEquation35()
    {
        // dθ/dt = −v/(1−α) in time η(1−α)·step; the discrete fixed point gives the formula exactly.
        var s = new SgdSettings(0.1, 0.01, 0.9, 0.2);
        var (theta, v) = Simulate(s, 40_000);
        double speed = Math.Sqrt((v[0] * v[0] + v[1] * v[1]) / (theta[0] * theta[0] + theta[1] * theta[1])) / (1 - s.Dampening);
        Assert.Equal(Math.Sqrt(2 * 0.01 / (0.1 * 0.8 * 1.9)), Stationary.AngularSpeed(s), 15);
        Assert.Equal(1, speed / Stationary.AngularSpeed(s), 1e-6);
    }
}
