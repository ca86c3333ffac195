using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>10⁶ steps with λ = 1e-3 stay finite and equal to the closed forms.</summary>
public class LongRunTests
{
    private const int Steps = 1_000_000;
    private static readonly int[] Checkpoints = [1_000, 10_000, 100_000, Steps];

    [Fact]
    public void SgdPredictionsStayExactOverAMillionSteps()
    {
        const double lr = 1e-3, wd = 1e-3, q0 = 2.0, f = 3.0;
        var p = new LayerPredictor(SymmetryKind.Scale, new SgdSettings(lr, wd), [q0]);
        for (int n = 1; n <= Steps; n++)
        {
            p.Advance([f]);
            if (!Checkpoints.Contains(n)) continue;
            double t = lr * n;
            double continuous = Math.Exp(-2 * wd * t) * q0 + lr * f * (1 - Math.Exp(-2 * wd * t)) / (2 * wd);
            // (1−ηλ)^{2n} in 28-digit decimal arithmetic, so the reference does not round 1 − ηλ.
            decimal r2n = Power(1 - (decimal)lr * (decimal)wd, 2 * n);
            decimal r2 = (1 - (decimal)lr * (decimal)wd) * (1 - (decimal)lr * (decimal)wd);
            double discrete = (double)(r2n * (decimal)q0 + (decimal)(lr * lr * f) * (1 - r2n) / (1 - r2));
            Assert.Equal(1, p.Continuous[0] / continuous, 1e-12);
            Assert.Equal(1, p.Discrete[0] / discrete, 1e-12);
        }
    }

    [Fact]
    public void OverdampedMomentumPredictionsStayExactOverAMillionSteps()
    {
        // γ ≈ 52.6, ω ≈ 1.45: t = 1000 at the end; the closed form is Appendix H's exponential form.
        const double lr = 1e-3, wd = 1e-3, beta = 0.9, q0 = 2.0, k = 3.0;
        var s = new SgdSettings(lr, wd, beta);
        var scale = new LayerPredictor(SymmetryKind.Scale, s, [q0]);
        var translation = new LayerPredictor(SymmetryKind.Translation, s, [q0]);
        double mass = lr * (1 + beta), g = (1 - beta) / mass, w2 = 4 * wd / mass, tw2 = 2 * wd / mass;
        double target = 2 * k / w2;
        var discrete = new AffineRecurrence(s, q0, k);
        for (int n = 1; n <= Steps; n++)
        {
            scale.Advance([k]);
            translation.Advance([]);
            if (!Checkpoints.Contains(n)) continue;
            double t = lr * n, free = PaperFormulas.FreeExponential(g, Math.Sqrt(w2), t);
            Assert.Equal(1, scale.Continuous[0] / (q0 * free + target * (1 - free)), 1e-12);
            Assert.Equal(1, translation.Continuous[0] / (q0 * PaperFormulas.FreeExponential(g, Math.Sqrt(tw2), t)), 1e-9);
            Assert.Equal(1, scale.Discrete[0] / discrete.At(n), 1e-10);
        }
    }

    [Fact]
    public void UnderdampedMomentumPredictionsStayFiniteAndExactOverAMillionSteps()
    {
        // The paper's Fig. 6 right: η = 0.1, β = 0.99, λ = 1e-3 is underdamped; t = 10⁵ at the end.
        const double lr = 0.1, wd = 1e-3, beta = 0.99, q0 = 2.0, k = 0.5;
        var s = new SgdSettings(lr, wd, beta);
        var p = new LayerPredictor(SymmetryKind.Scale, s, [q0]);
        double mass = lr * (1 + beta), g = (1 - beta) / mass, w = Math.Sqrt(4 * wd / mass);
        Assert.True(g < w);
        var discrete = new AffineRecurrence(s, q0, k);
        for (int n = 1; n <= Steps; n++)
        {
            p.Advance([k]);
            if (!Checkpoints.Contains(n)) continue;
            double free = PaperFormulas.Free(g, w, lr * n);
            Assert.Equal(q0 * free + 2 * k / (w * w) * (1 - free), p.Continuous[0], 1e-9);
            Assert.Equal(discrete.At(n), p.Discrete[0], 1e-9);
        }
        // At t = 10⁵ both sit at their common fixed point: ηK(1+β)/(2λ) = 2K/ω².
        Assert.Equal(lr * k * (1 + beta) / (2 * wd), p.Discrete[0], 1e-12);
        Assert.Equal(2 * k / (w * w), p.Continuous[0], 1e-12);
    }

    private static decimal Power(decimal x, long e)
    {
        decimal result = 1;
        for (var b = x; e > 0; e >>= 1, b *= b)
            if ((e & 1) == 1) result *= b;
        return result;
    }

    /// <summary>
    /// The momentum recurrence with constant K written as an affine map of (Q, P) after the first
    /// step and raised to a power by repeated squaring: an independent closed form.
    /// </summary>
    private sealed class AffineRecurrence(SgdSettings s, double q0, double k)
    {
        public double At(long n)
        {
            double eta = s.LearningRate, lam = s.WeightDecay, beta = s.Momentum, c = 1 - s.Dampening;
            // First step (v = d): P̃ = λQ0.
            double q1 = q0 - 2 * eta * lam * q0 + eta * eta * k, p1 = lam * q0 - eta * k;
            // (Q, P, 1) ← M·(Q, P, 1) for later steps.
            double[,] m =
            {
                { 1 - 2 * eta * c * lam, -2 * eta * beta, eta * eta * k },
                { c * lam, beta, -eta * k },
                { 0, 0, 1 },
            };
            var power = Power(m, n - 1);
            return power[0, 0] * q1 + power[0, 1] * p1 + power[0, 2];
        }

        private static double[,] Power(double[,] m, long e)
        {
            double[,] result = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
            for (var b = m; e > 0; e >>= 1, b = Mul(b, b))
                if ((e & 1) == 1) result = Mul(result, b);
            return result;
        }

        private static double[,] Mul(double[,] x, double[,] y)
        {
            var r = new double[3, 3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    for (int l = 0; l < 3; l++) r[i, j] += x[i, l] * y[l, j];
            return r;
        }
    }
}
