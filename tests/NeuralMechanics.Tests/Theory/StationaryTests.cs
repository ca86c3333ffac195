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

    [Fact]
    public void SgdSettlesAtTheEquilibriumNormAndAngularUpdatePerStep()
    {
        // |g|² = c²/|θ|²: the unit-norm squared gradient is c² = 0.25.
        var s = new SgdSettings(0.1, 0.01);
        var (theta, _) = Simulate(s, 40_000);
        double norm = Math.Sqrt(theta[0] * theta[0] + theta[1] * theta[1]);
        Assert.Equal(1, norm / Stationary.SgdNorm(0.1, 0.01, 0.25), 1e-9);
        Assert.Equal(Math.Sqrt(2 * 0.1 * 0.01), Stationary.AngularUpdate(s), 15);
        Assert.Equal(Stationary.AngularSpeed(s) * s.TimePerStep, Stationary.AngularUpdate(s), 15);
    }

    [Fact]
    public void MomentumSettlesAtTheEquilibriumNormOfTheExactRecurrence()
    {
        var s = new SgdSettings(0.1, 0.01, 0.9, 0.2);
        var (theta, v) = Simulate(s, 40_000);
        double q = theta[0] * theta[0] + theta[1] * theta[1], k = v[0] * v[0] + v[1] * v[1];
        Assert.Equal(1, Math.Sqrt(q) / Stationary.MomentumNorm(0.1, 0.01, 0.9, 0.2, q * k), 1e-9);
        // Angle per step η|v|/|θ| against √(2ηλ(1−α)/(1+β)).
        Assert.Equal(1, 0.1 * Math.Sqrt(k / q) / Stationary.AngularUpdate(s), 1e-6);
        Assert.Equal(Math.Sqrt(2 * 0.1 * 0.01 / 1.9), Stationary.AngularUpdate(new SgdSettings(0.1, 0.01, 0.9)), 15);
    }

    [Fact]
    public void AdamWEquilibriumNormIsWhereTheAngularUpdateReachesItsEquilibrium()
    {
        double eta = 1e-3, lambda = 0.05, beta1 = 0.9, size = 64;
        Assert.Equal(Math.Sqrt(2 * eta * lambda * (1 - beta1) / (1 + beta1)), Stationary.AdamWAngularUpdate(eta, lambda, beta1), 15);
        // Random-walk update size |u|² = |A|(1−β₁)/(1+β₁): Kosson et al.'s norm √(η|A|/(2λ)), and η|u|/|θ|* is the equilibrium angle.
        double uu = size * (1 - beta1) / (1 + beta1);
        Assert.Equal(Math.Sqrt(eta * size / (2 * lambda)), Stationary.AdamWNorm(eta, lambda, beta1, uu), 14);
        Assert.Equal(Stationary.AdamWAngularUpdate(eta, lambda, beta1), eta * Math.Sqrt(uu) / Stationary.AdamWNorm(eta, lambda, beta1, uu), 15);
        // β₁ = 0 (uncorrelated updates ⟂ θ): the fixed point of Q ← (1−ηλ)²Q + η²|u|², to first order in ηλ.
        double q = 1;
        for (int n = 0; n < 2_000_000; n++) q = (1 - eta * lambda) * (1 - eta * lambda) * q + eta * eta * uu;
        Assert.Equal(1, Math.Sqrt(q) / Stationary.AdamWNorm(eta, lambda, 0, uu), eta * lambda);
    }
}
