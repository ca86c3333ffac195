using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// A scale or rescale group whose bias has no weight decay: advancing the decayed and undecayed
/// parts separately, with their measured ⟨θ_part, g_part⟩, is exact (1e-12 in float64) under SGD and
/// momentum with a schedule, while the single-λ law is visibly wrong.
/// </summary>
public class MixedDecayPredictionTests
{
    private const int Steps = 300;
    private const double Lambda = 0.05;

    [Theory]
    [InlineData("scale", 0.0)]
    [InlineData("scale", 0.9)]
    [InlineData("rescale", 0.0)]
    [InlineData("rescale", 0.5)]
    public void PartsAdvancedWithTheirOwnDecayMatchSimulatedPyTorchSgd(string kindName, double momentum)
    {
        var kind = SymmetryKindNames.Parse(kindName);
        SymmetricLoss loss = kind == SymmetryKind.Scale ? new ScaleLoss() : new RescaleLoss();
        // Undecayed: the last entry of each scale group (its "bias"); the biases b1 (6, 7) of the rescale loss.
        var undecayed = kind == SymmetryKind.Scale ? new HashSet<int> { 2, 5 } : [6, 7];
        var schedule = new LrSchedule { Kind = ScheduleKind.Step, Drops = [120, 240], DropRate = 0.5, WarmupSteps = 20 };
        var s = new SgdSettings(0.1, Lambda, momentum);
        var groups = loss.Groups;
        var theta = loss.Initial(new Random(11));
        var v = new double[theta.Length];
        double[] lambdas = [Lambda, 0];
        bool InClass(int k, int j) => (k == 1) == undecayed.Contains(j);
        double ClassSum(Group g, int k, Func<int, double> term) => g.A1.Where(j => InClass(k, j)).Sum(term) - g.A2.Where(j => InClass(k, j)).Sum(term);
        double[][] PerClass(Func<int, double> term) => [.. Enumerable.Range(0, 2).Select(k => groups.Select(g => ClassSum(g, k, term)).ToArray())];

        var p = new MixedDecayPredictor(kind, s, lambdas, PerClass(j => theta[j] * theta[j]));
        var single = new LayerPredictor(kind, s, [.. groups.Select(g => g.Q(theta, false))]);
        double worst = 0, singleWorst = 0;
        for (int n = 0; n < Steps; n++)
        {
            double eta = s.LearningRate * schedule.Factor(n);
            var g = loss.Gradient(theta, n);
            var gradTheta = PerClass(j => theta[j] * g[j]);
            var gradSquared = PerClass(j => g[j] * g[j]);
            for (int j = 0; j < theta.Length; j++)
            {
                double d = g[j] + (undecayed.Contains(j) ? 0 : Lambda) * theta[j];
                if (momentum > 0)
                {
                    v[j] = n == 0 ? d : momentum * v[j] + d;
                    theta[j] -= eta * v[j];
                }
                else theta[j] -= eta * d;
            }
            var forcing = momentum > 0 ? PerClass(j => v[j] * v[j]) : gradSquared;
            p.Advance(eta, gradTheta, forcing);
            single.Advance([.. Enumerable.Range(0, groups.Length).Select(i => forcing[0][i] + forcing[1][i])], eta, default);
            for (int i = 0; i < groups.Length; i++)
            {
                double q = groups[i].Q(theta, false), size = Math.Max(1, groups[i].Norm2(theta));
                worst = Math.Max(worst, Math.Abs(p.Discrete[i] - q) / size);
                singleWorst = Math.Max(singleWorst, Math.Abs(single.Discrete[i] - q) / size);
            }
        }
        Assert.True(worst < 1e-12, $"largest error {worst:E2}");
        Assert.True(singleWorst > 1e-6, $"the single-λ law should miss: {singleWorst:E2}");
    }

    [Fact]
    public void StateRoundTripResumesBitForBit()
    {
        var s = new SgdSettings(0.1, Lambda, 0.9);
        double[][] q0 = [[1.0, 2.0], [0.5, -0.25]];
        double[][] G(int n) => [[Math.Sin(n), 0.1], [-Math.Sin(n), -0.1]];
        double[][] F(int n) => [[1 + Math.Cos(n), 0.3], [0.2, 0.1]];
        var straight = new MixedDecayPredictor(SymmetryKind.Rescale, s, [Lambda, 0], q0);
        for (int n = 0; n < 20; n++) straight.Advance(0.1, G(n), F(n));
        var resumed = new MixedDecayPredictor(SymmetryKind.Rescale, s, [Lambda, 0], [[0.0, 0.0], [0.0, 0.0]]);
        resumed.LoadState(straight.SaveState());
        for (int n = 20; n < 40; n++)
        {
            straight.Advance(0.05, G(n), F(n));
            resumed.Advance(0.05, G(n), F(n));
        }
        Assert.Equal(straight.Discrete.ToArray(), resumed.Discrete.ToArray());
        Assert.Equal(straight.GradientFlow.ToArray(), resumed.GradientFlow.ToArray());
        Assert.Contains("predictor state", Assert.Throws<InvalidInputException>(() => resumed.LoadState([1.0])).Message);
    }
}
