using NeuralMechanics.Symmetry;
using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// The discrete predictions (eq. 39–41 and the momentum recurrence) equal a direct simulation of
/// PyTorch's SGD on losses with an exact symmetry, to rounding, for random batches.
/// </summary>
public class DiscretePredictionTests
{
    public static TheoryData<string, double, double, double, double> Settings => new()
    {
        // kind, lr, wd, momentum, dampening
        { "scale", 0.1, 0, 0, 0 },
        { "scale", 0.1, 5e-3, 0, 0 },
        { "scale", 0.05, 1e-2, 0.9, 0 },
        { "scale", 0.05, 1e-2, 0.9, 0.3 },
        { "scale", 0.05, 0, 0.9, 0 },
        { "rescale", 0.1, 0, 0, 0 },
        { "rescale", 0.1, 5e-3, 0, 0 },
        { "rescale", 0.05, 1e-2, 0.9, 0 },
        { "rescale", 0.05, 1e-2, 0.5, 0.5 },
        { "rescale", 0.05, 0, 0.9, 0.2 },
        { "translation", 0.1, 0, 0, 0 },
        { "translation", 0.1, 5e-3, 0, 0 },
        { "translation", 0.1, 1e-2, 0.9, 0 },
        { "translation", 0.1, 1e-2, 0.9, 0.3 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void DiscretePredictionEqualsSimulatedPyTorchSgdToRounding(string kindName, double lr, double wd, double momentum, double dampening)
    {
        var kind = SymmetryKindNames.Parse(kindName);
        SymmetricLoss loss = kind switch
        {
            SymmetryKind.Scale => new ScaleLoss(),
            SymmetryKind.Rescale => new RescaleLoss(),
            _ => new TranslationLoss(),
        };
        var s = new SgdSettings(lr, wd, momentum, dampening);
        const int steps = 300;
        bool translation = kind == SymmetryKind.Translation;
        var trace = PyTorchSgd.Run(loss, s, translation, steps);
        var p = new LayerPredictor(kind, s, trace.Q[0]);
        double worst = 0;
        for (int n = 0; n < steps; n++)
        {
            p.Advance(translation ? [] : trace.Forcing[n]);
            for (int i = 0; i < p.Count; i++)
            {
                double scale = Math.Max(1, trace.Norm2[n + 1][i]);
                worst = Math.Max(worst, Math.Abs(p.Discrete[i] - trace.Q[n + 1][i]) / scale);
            }
        }
        Assert.True(worst < 1e-12, $"largest error {worst:E2}");
        // The dynamics are not trivially conserved: the quantity moved well beyond rounding.
        double moved = Enumerable.Range(0, p.Count).Max(i => Math.Abs(trace.Q[steps][i] - trace.Q[0][i]));
        Assert.True(wd == 0 && translation ? moved < 1e-12 : moved > 1e-4, $"moved {moved:E2}");
    }

    [Fact]
    public void SgdDiscreteMatchesEquations39To41WrittenOut()
    {
        // Eq. 40: |θ_n|² = (1−ηλ)^{2n}|θ_0|² + η² Σ_{i<n} (1−ηλ)^{2(n−1−i)} F_i, summed directly.
        var s = new SgdSettings(0.2, 0.05);
        double[] q0 = [3.0, -1.5];
        var forcing = Enumerable.Range(0, 40).Select(i => new[] { 1 + Math.Sin(i), 0.5 * Math.Cos(0.3 * i) }).ToArray();
        var scale = new LayerPredictor(SymmetryKind.Rescale, s, q0);
        var translation = new LayerPredictor(SymmetryKind.Translation, s, q0);
        double r = 1 - 0.2 * 0.05;
        for (int n = 1; n <= 40; n++)
        {
            scale.Advance(forcing[n - 1]);
            translation.Advance([]);
            for (int g = 0; g < 2; g++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += Math.Pow(r, 2 * (n - 1 - i)) * forcing[i][g];
                double expected = Math.Pow(r, 2 * n) * q0[g] + 0.04 * sum;
                Assert.Equal(expected, scale.Discrete[g], 1e-13);
                Assert.Equal(Math.Pow(r, n) * q0[g], translation.Discrete[g], 1e-13);
            }
        }
    }
}
