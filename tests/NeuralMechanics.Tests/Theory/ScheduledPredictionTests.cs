using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// Under a learning rate that changes every step (warmup, drops, cosine) the discrete laws hold
/// step by step with ηₙ: a symmetric loss trained by SGD, momentum and Nesterov, written out by
/// hand in float64, matches the discrete prediction to 1e-12; and Adam's update identity is exact.
/// </summary>
public class ScheduledPredictionTests
{
    private const int Steps = 300;

    private static readonly LrSchedule Cosine = new() { Kind = ScheduleKind.Cosine, WarmupSteps = 40, Horizon = Steps };
    private static readonly LrSchedule Drops = new() { Kind = ScheduleKind.Step, Drops = [100, 200], DropRate = 0.3, WarmupSteps = 10 };

    public static TheoryData<string, string, double, double, bool> Cases => new()
    {
        // kind, schedule, wd, momentum, nesterov
        { "scale", "cosine", 1e-2, 0, false },
        { "scale", "drops", 1e-2, 0.9, false },
        { "scale", "cosine", 1e-2, 0.9, true },
        { "rescale", "drops", 5e-3, 0, false },
        { "rescale", "cosine", 5e-3, 0.5, false },
        { "rescale", "drops", 5e-3, 0.9, true },
        { "translation", "cosine", 1e-2, 0, false },
        { "translation", "drops", 1e-2, 0.9, false },
        { "translation", "cosine", 1e-2, 0.9, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DiscretePredictionFollowsTheScheduleStepByStepTo1e12(string kindName, string scheduleName, double wd, double momentum, bool nesterov)
    {
        var kind = SymmetryKindNames.Parse(kindName);
        var schedule = scheduleName == "cosine" ? Cosine : Drops;
        var s = new SgdSettings(0.1, wd, momentum, 0, nesterov);
        var eta = Enumerable.Range(0, Steps).Select(n => s.LearningRate * schedule.Factor(n)).ToArray();
        bool translation = kind == SymmetryKind.Translation;
        var trace = Simulate(Loss(kind), s, eta, translation);
        var p = new LayerPredictor(kind, s, trace.Q[0]);
        double worst = 0;
        for (int n = 0; n < Steps; n++)
        {
            p.Advance(translation ? [] : trace.Forcing[n], eta[n], translation ? [] : trace.Cross[n]);
            for (int i = 0; i < p.Count; i++)
                worst = Math.Max(worst, Math.Abs(p.Discrete[i] - trace.Q[n + 1][i]) / Math.Max(1, trace.Norm2[n + 1][i]));
        }
        Assert.True(worst < 1e-12, $"largest error {worst:E2}");
        // The constant-η law is wrong here: the schedule matters far beyond rounding.
        var constant = new LayerPredictor(kind, s, trace.Q[0]);
        for (int n = 0; n < Steps; n++) constant.Advance(translation ? [] : trace.Forcing[n], s.LearningRate, translation ? [] : trace.Cross[n]);
        Assert.True(Enumerable.Range(0, p.Count).Max(i => Math.Abs(constant.Discrete[i] - trace.Q[Steps][i])) > 1e-6);
    }

    [Fact]
    public void ContinuousTimeIsTheSumOfTheStepsLearningRates()
    {
        var s = new SgdSettings(0.1, 1e-3, 0.9, 0.25);
        var p = new LayerPredictor(SymmetryKind.Translation, s, [1.0]);
        // Summed in decimal: the compensated sum agrees to within one unit in the last place.
        decimal expected = 0;
        for (int n = 0; n < 50; n++)
        {
            double eta = 0.1 * Drops.Factor(n);
            p.Advance([], eta, []);
            expected += (decimal)(eta * 0.75);
        }
        Assert.Equal((double)expected, p.Time, 1e-15);
    }

    [Fact]
    public void OscillatorUnderAScheduleIsAdvancedWithEachStepsCoefficients()
    {
        // Free momentum translation: continuous = Q(0)·x with x'' + 2γₙx' + ωₙ²x = 0 on each step,
        // γₙ, ωₙ from ηₙ; integrated here by RK4 with fine substeps on every step.
        var s = new SgdSettings(0.1, 0.05, 0.9);
        var p = new LayerPredictor(SymmetryKind.Translation, s, [2.0]);
        double x = 1, dx = 0;
        for (int n = 0; n < 120; n++)
        {
            double eta = 0.1 * Cosine.Factor(n);
            p.Advance([], eta, []);
            var osc = DampedOscillator.ForMomentum(s with { LearningRate = eta }, SymmetryKind.Translation);
            const int sub = 200;
            double h = eta / sub;
            for (int k = 0; k < sub; k++)
            {
                (double, double) F(double a, double b) => (b, -2 * osc.Gamma * b - osc.Omega * osc.Omega * a);
                var k1 = F(x, dx);
                var k2 = F(x + h / 2 * k1.Item1, dx + h / 2 * k1.Item2);
                var k3 = F(x + h / 2 * k2.Item1, dx + h / 2 * k2.Item2);
                var k4 = F(x + h * k3.Item1, dx + h * k3.Item2);
                x += h / 6 * (k1.Item1 + 2 * k2.Item1 + 2 * k3.Item1 + k4.Item1);
                dx += h / 6 * (k1.Item2 + 2 * k2.Item2 + 2 * k3.Item2 + k4.Item2);
            }
            Assert.Equal(2.0 * x, p.Continuous[0], 1e-9);
        }
    }

    [Theory]
    [InlineData("scale")]
    [InlineData("rescale")]
    [InlineData("translation")]
    public void UpdateIdentityOfAdamIsExactWhileTheQuantityIsNotConservedAtZeroWeightDecay(string kindName)
    {
        var kind = SymmetryKindNames.Parse(kindName);
        bool translation = kind == SymmetryKind.Translation;
        var loss = Loss(kind);
        var theta = loss.Initial(new Random(3));
        var m = new double[theta.Length];
        var v = new double[theta.Length];
        var groups = loss.Groups;
        var p = new UpdateIdentityPredictor(kind, [.. groups.Select(g => g.Q(theta, translation))]);
        double worst = 0, moved = 0;
        for (int n = 0; n < Steps; n++)
        {
            double lr = 0.01 * Cosine.Factor(n);
            var g = loss.Gradient(theta, n);
            var delta = new double[theta.Length];
            for (int j = 0; j < theta.Length; j++)
            {
                m[j] = m[j] + 0.1 * (g[j] - m[j]);
                v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
                delta[j] = -(lr / (1 - Math.Pow(0.9, n + 1))) * m[j] / (Math.Sqrt(v[j]) / Math.Sqrt(1 - Math.Pow(0.999, n + 1)) + 1e-8);
            }
            double[] first = [.. groups.Select(gr => translation ? gr.A1.Sum(i => delta[i]) : Dot(gr.A1, theta, delta) - Dot(gr.A2, theta, delta))];
            double[] second = [.. groups.Select(gr => Dot(gr.A1, delta, delta) - Dot(gr.A2, delta, delta))];
            p.Advance(first, second);
            for (int j = 0; j < theta.Length; j++) theta[j] += delta[j];
            for (int i = 0; i < groups.Length; i++)
            {
                double q = groups[i].Q(theta, translation);
                worst = Math.Max(worst, Math.Abs(p.Discrete[i] - q) / Math.Max(1, groups[i].Norm2(theta)));
                moved = Math.Max(moved, Math.Abs(q - p.GradientFlow[i]));
            }
        }
        Assert.True(worst < 1e-12, $"largest error {worst:E2}");
        // λ = 0, yet Q is not conserved: the preconditioner breaks the law (translation: Σ m̂/√v̂ ≠ 0).
        Assert.True(moved > 1e-4, $"moved {moved:E2}");
    }

    private static double Dot(int[] set, double[] a, double[] b) => set.Sum(i => a[i] * b[i]);

    private static SymmetricLoss Loss(SymmetryKind kind) => kind switch
    {
        SymmetryKind.Scale => new ScaleLoss(),
        SymmetryKind.Rescale => new RescaleLoss(),
        _ => new TranslationLoss(),
    };

    private sealed record Trace(double[][] Q, double[][] Forcing, double[][] Cross, double[][] Norm2);

    /// <summary>
    /// torch.optim.SGD written out with the rate ηₙ of each step: d = g + λθ; v = d first, then
    /// v ← βv + d; θ ← θ − ηₙv (Nesterov: θ ← θ − ηₙ(d + βv)). Forcing: F = |g|² (SGD), K = |v|²
    /// (momentum), U = |d + βv|² with cross W = ⟨d + βv, v⟩ (Nesterov), per group (rescale: A1 − A2).
    /// </summary>
    private static Trace Simulate(SymmetricLoss loss, SgdSettings s, double[] eta, bool translation)
    {
        var theta = loss.Initial(new Random(7));
        var groups = loss.Groups;
        var v = new double[theta.Length];
        var q = new double[Steps + 1][];
        var forcing = new double[Steps][];
        var cross = new double[Steps][];
        var norm2 = new double[Steps + 1][];
        double GroupDot(Group gr, double[] a, double[] b) => Dot(gr.A1, a, b) - Dot(gr.A2, a, b);
        q[0] = [.. groups.Select(gr => gr.Q(theta, translation))];
        norm2[0] = [.. groups.Select(gr => gr.Norm2(theta))];
        for (int n = 0; n < Steps; n++)
        {
            var g = loss.Gradient(theta, n);
            var d = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++) d[i] = g[i] + s.WeightDecay * theta[i];
            if (s.Momentum > 0)
            {
                for (int i = 0; i < theta.Length; i++) v[i] = n == 0 ? d[i] : s.Momentum * v[i] + d[i];
                var u = new double[theta.Length];
                for (int i = 0; i < theta.Length; i++) u[i] = s.Nesterov ? d[i] + s.Momentum * v[i] : v[i];
                for (int i = 0; i < theta.Length; i++) theta[i] -= eta[n] * u[i];
                forcing[n] = [.. groups.Select(gr => GroupDot(gr, u, u))];
                cross[n] = [.. groups.Select(gr => GroupDot(gr, u, v))];
            }
            else
            {
                forcing[n] = [.. groups.Select(gr => GroupDot(gr, g, g))];
                cross[n] = [];
                for (int i = 0; i < theta.Length; i++) theta[i] -= eta[n] * d[i];
            }
            q[n + 1] = [.. groups.Select(gr => gr.Q(theta, translation))];
            norm2[n + 1] = [.. groups.Select(gr => gr.Norm2(theta))];
        }
        return new Trace(q, forcing, cross, norm2);
    }
}
