using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>The continuous predictions equal the closed forms of eq. 18–20 and 34–37, and RK4 for varying forcing.</summary>
public class ContinuousPredictionTests
{
    private static double Forcing(int n, int group) => group == 0 ? 1 + 0.5 * Math.Sin(0.37 * n) : 0.3 * Math.Cos(0.11 * n) - 0.1;

    [Fact]
    public void GradientFlowIsConservedQ0()
    {
        var p = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(0.1, 1e-2), [2.0, 5.0]);
        for (int n = 0; n < 10; n++) p.Advance([1.0, 2.0]);
        Assert.Equal([2.0, 5.0], p.GradientFlow.ToArray());
    }

    [Theory]
    [InlineData(0.1, 0.0)]
    [InlineData(0.1, 5e-3)]
    [InlineData(0.01, 0.2)]
    public void SgdModifiedFlowWithConstantForcingIsEquations18To20(double lr, double wd)
    {
        // Eq. 19 with constant F: e^{−2λt}Q0 + ηF(1 − e^{−2λt})/(2λ) (ηFt at λ = 0); eq. 18: e^{−λt}Q0.
        const double q0 = 4.0, f = 0.7;
        var s = new SgdSettings(lr, wd);
        var scale = new LayerPredictor(SymmetryKind.Scale, s, [q0]);
        var translation = new LayerPredictor(SymmetryKind.Translation, s, [q0]);
        for (int n = 1; n <= 500; n++)
        {
            scale.Advance([f]);
            translation.Advance([]);
            double t = lr * n;
            double integral = wd == 0 ? t : (1 - Math.Exp(-2 * wd * t)) / (2 * wd);
            Assert.Equal(Math.Exp(-2 * wd * t) * q0 + lr * f * integral, scale.Continuous[0], 1e-12);
            Assert.Equal(Math.Exp(-wd * t) * q0, translation.Continuous[0], 1e-13);
        }
    }

    [Fact]
    public void SgdModifiedFlowWithVaryingForcingMatchesRk4()
    {
        // dQ/dt = −2λQ + ηF(t), F constant on each step [ηn, η(n+1)).
        const double lr = 0.1, wd = 0.02;
        double[] q0 = [3.0, -0.5];
        var p = new LayerPredictor(SymmetryKind.Rescale, new SgdSettings(lr, wd), q0);
        var y = (double[])q0.Clone();
        for (int n = 0; n < 200; n++)
        {
            double[] f = [Forcing(n, 0), Forcing(n, 1)];
            p.Advance(f);
            y = Rk4.Integrate(q => [-2 * wd * q[0] + lr * f[0], -2 * wd * q[1] + lr * f[1]], y, lr, 10);
        }
        Assert.Equal(y[0], p.Continuous[0], 1e-12);
        Assert.Equal(y[1], p.Continuous[1], 1e-12);
    }

    // Critical weight decay for the scale oscillator: γ = ω ⇔ λ = (1−β)²/(4η(1−α)(1+β)).
    private static double CriticalWd(double lr, double momentum, double dampening) =>
        (1 - momentum) * (1 - momentum) / (4 * lr * (1 - dampening) * (1 + momentum));

    public static TheoryData<double, DampingRegime> Regimes => new()
    {
        { 0.0, DampingRegime.Overdamped },
        { 0.25, DampingRegime.Overdamped },
        { 1 - 1e-3, DampingRegime.Overdamped },
        { 1 - 1e-9, DampingRegime.Overdamped },
        { 1 + 1e-9, DampingRegime.Underdamped },
        { 1 + 1e-3, DampingRegime.Underdamped },
        { 4.0, DampingRegime.Underdamped },
    };

    [Theory]
    [MemberData(nameof(Regimes))]
    public void MomentumScaleOscillatorMatchesRk4(double wdOverCritical, DampingRegime regime)
    {
        const double lr = 0.1, momentum = 0.9, dampening = 0.2;
        double wd = wdOverCritical * CriticalWd(lr, momentum, dampening);
        var s = new SgdSettings(lr, wd, momentum, dampening);
        var osc = DampedOscillator.ForMomentum(s, SymmetryKind.Scale);
        Assert.Equal(regime, osc.Regime);
        Assert.Equal(regime, new LayerPredictor(SymmetryKind.Scale, s, [1.0]).Oscillator!.Regime);
        AssertOscillatorMatchesRk4(s, osc);
    }

    [Fact]
    public void MomentumScaleOscillatorMatchesRk4AtExactCriticalDamping()
    {
        const double lr = 0.1, momentum = 0.9, dampening = 0.2;
        double wd = CriticalWd(lr, momentum, dampening);
        // The double within a few ulps of the critical λ for which γ and ω round to the same value.
        var candidates = new List<double> { wd };
        for (double up = wd, down = wd, k = 0; k < 64; k++)
            candidates.AddRange([up = Math.BitIncrement(up), down = Math.BitDecrement(down)]);
        var critical = candidates.Select(c => new SgdSettings(lr, c, momentum, dampening))
            .FirstOrDefault(c => DampedOscillator.ForMomentum(c, SymmetryKind.Scale).Regime == DampingRegime.Critical);
        Assert.NotNull(critical);
        AssertOscillatorMatchesRk4(critical, DampedOscillator.ForMomentum(critical, SymmetryKind.Scale));
    }

    private static void AssertOscillatorMatchesRk4(SgdSettings s, DampedOscillator osc)
    {
        // Q'' + 2γQ' + ω²Q = 2K/(1−α)², Q(0) = Q0, Q'(0) = 0 (eq. 35–37), K constant on each step of η(1−α).
        double[] q0 = [2.0, -1.0];
        var p = new LayerPredictor(SymmetryKind.Rescale, s, q0);
        var t = new LayerPredictor(SymmetryKind.Translation, s, q0);
        var tOsc = DampedOscillator.ForMomentum(s, SymmetryKind.Translation);
        double h = s.TimePerStep, a = 1 - s.Dampening;
        double g = osc.Gamma, w2 = osc.Omega * osc.Omega, tg = tOsc.Gamma, tw2 = tOsc.Omega * tOsc.Omega;
        double[] y = [q0[0], 0, q0[1], 0, q0[0], 0];
        for (int n = 0; n < 300; n++)
        {
            double f0 = 2 * Forcing(n, 0) / (a * a), f1 = 2 * Forcing(n, 1) / (a * a);
            p.Advance([Forcing(n, 0), Forcing(n, 1)]);
            t.Advance([]);
            y = Rk4.Integrate(v => [v[1], f0 - w2 * v[0] - 2 * g * v[1], v[3], f1 - w2 * v[2] - 2 * g * v[3], v[5], -tw2 * v[4] - 2 * tg * v[5]], y, h, 40);
            Assert.Equal(y[0], p.Continuous[0], 1e-10);
            Assert.Equal(y[2], p.Continuous[1], 1e-10);
            Assert.Equal(y[4], t.Continuous[0], 1e-12);
        }
    }

    [Theory]
    [InlineData(0.9, 0.002)]
    [InlineData(0.9, 0.01)]
    [InlineData(0.99, 0.005)]
    public void MomentumTranslationIsEquation34(double momentum, double wd)
    {
        const double lr = 0.1, q0 = 3.0;
        var s = new SgdSettings(lr, wd, momentum);
        var p = new LayerPredictor(SymmetryKind.Translation, s, [q0]);
        double g = (1 - momentum) / (lr * (1 + momentum)), w = Math.Sqrt(2 * wd / (lr * (1 + momentum)));
        for (int n = 1; n <= 400; n++)
        {
            p.Advance([]);
            Assert.Equal(PaperFormulas.Free(g, w, lr * n) * q0, p.Continuous[0], 1e-12);
        }
    }

    [Fact]
    public void MomentumScaleWithConstantForcingIsEquation36()
    {
        // Constant f: ∫₀ᵗ G(t−τ)f dτ = (f/ω²)(1 − free(t)), so Q = Q0·free + (f/ω²)(1 − free).
        var s = new SgdSettings(0.1, 0.02, 0.9);
        const double q0 = 1.5, k = 0.8;
        var p = new LayerPredictor(SymmetryKind.Scale, s, [q0]);
        double g = 0.1 / (0.1 * 1.9), w2 = 4 * 0.02 / (0.1 * 1.9);
        double target = 2 * k / w2;
        for (int n = 1; n <= 500; n++)
        {
            p.Advance([k]);
            double free = PaperFormulas.Free(g, Math.Sqrt(w2), 0.1 * n);
            Assert.Equal(q0 * free + target * (1 - free), p.Continuous[0], 1e-12);
        }
    }
}
