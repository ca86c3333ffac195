using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>The oscillator's closed forms equal the paper's three branches (Appendix H) and RK4.</summary>
public class DampedOscillatorTests
{
    [Theory]
    [InlineData(3.0, 1.0, DampingRegime.Overdamped)]
    [InlineData(1.5, 1.5, DampingRegime.Critical)]
    [InlineData(0.2, 2.0, DampingRegime.Underdamped)]
    [InlineData(0.0, 2.0, DampingRegime.Underdamped)]
    [InlineData(2.0, 0.0, DampingRegime.Overdamped)]
    public void FreeSolutionAndGreenFunctionMatchThePapersBranch(double gamma, double omega, DampingRegime regime)
    {
        var osc = new DampedOscillator(gamma, omega);
        Assert.Equal(regime, osc.Regime);
        foreach (double t in new[] { 0.0, 0.01, 0.3, 1.0, 2.5, 7.0 })
        {
            Assert.Equal(PaperFormulas.Free(gamma, omega, t), osc.Free(t), 1e-13);
            Assert.Equal(PaperFormulas.Green(gamma, omega, t), osc.Green(t), 1e-13);
        }
    }

    [Theory]
    [InlineData(1e-9)]
    [InlineData(-1e-9)]
    [InlineData(1e-5)]
    [InlineData(-1e-5)]
    public void ValuesAreContinuousAcrossCriticalDamping(double relativeOffset)
    {
        // At γ = ω(1 ± δ) the over/under-damped branch differs from the critical one by O(δ).
        var critical = new DampedOscillator(1.5, 1.5);
        var near = new DampedOscillator(1.5 * (1 + relativeOffset), 1.5);
        foreach (double t in new[] { 0.1, 1.0, 4.0, 20.0 })
        {
            Assert.Equal(critical.Free(t), near.Free(t), 10 * Math.Abs(relativeOffset) * (1 + t * t));
            Assert.Equal(critical.Green(t), near.Green(t), 10 * Math.Abs(relativeOffset) * (1 + t * t));
        }
    }

    [Theory]
    [InlineData(1.0 + 1e-7, 1.0)]
    [InlineData(1.0 - 1e-7, 1.0)]
    [InlineData(1.0 + 1e-3, 1.0)]
    [InlineData(1.0 - 1e-3, 1.0)]
    public void NearCriticalClosedFormMatchesRk4(double gamma, double omega)
    {
        // Where the paper's branches divide by √|γ²−ω²| ≈ 0, the unified form must still be exact.
        var osc = new DampedOscillator(gamma, omega);
        double[] Rhs(double[] y) => [y[1], -omega * omega * y[0] - 2 * gamma * y[1]];
        var free = Rk4.Integrate(Rhs, [1, 0], 3.0, 6000);
        var green = Rk4.Integrate(Rhs, [0, 1], 3.0, 6000);
        Assert.Equal(free[0], osc.Free(3.0), 1e-13);
        Assert.Equal(free[1], osc.FreeDerivative(3.0), 1e-13);
        Assert.Equal(green[0], osc.Green(3.0), 1e-13);
        Assert.Equal(green[1], osc.GreenDerivative(3.0), 1e-13);
    }

    [Theory]
    [InlineData(3.0, 1.0)]
    [InlineData(1.5, 1.5)]
    [InlineData(0.2, 2.0)]
    [InlineData(0.5, 0.0)]
    public void OneStepPropagatorMatchesRk4WithConstantForcing(double gamma, double omega)
    {
        const double h = 0.7, f = 1.3;
        var step = new OscillatorStep(new DampedOscillator(gamma, omega), h);
        double x = 0.4, xLow = 0, dx = -0.8;
        step.Advance(ref x, ref xLow, ref dx, f);
        x += xLow;
        var reference = Rk4.Integrate(y => [y[1], f - omega * omega * y[0] - 2 * gamma * y[1]], [0.4, -0.8], h, 2000);
        Assert.Equal(reference[0], x, 1e-13);
        Assert.Equal(reference[1], dx, 1e-13);
    }

    [Fact]
    public void MomentumCoefficientsAreThePapers()
    {
        // Eq. 33 and 35: γ = (1−β)/(η(1−α)(1+β)); ω² = 2λ/(…) for translation, 4λ/(…) for scale.
        var s = new SgdSettings(0.1, 5e-3, 0.9, 0.2);
        double mass = 0.1 * 0.8 * 1.9;
        var t = DampedOscillator.ForMomentum(s, SymmetryKind.Translation);
        var sc = DampedOscillator.ForMomentum(s, SymmetryKind.Scale);
        Assert.Equal(0.1 / mass, t.Gamma, 1e-14);
        Assert.Equal(Math.Sqrt(2 * 5e-3 / mass), t.Omega, 1e-14);
        Assert.Equal(Math.Sqrt(4 * 5e-3 / mass), sc.Omega, 1e-14);
        Assert.Equal(sc.Omega, DampedOscillator.ForMomentum(s, SymmetryKind.Rescale).Omega);
    }
}
