using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

/// <summary>
/// Adam and AdamW against the update of torch.optim.Adam/AdamW written out by hand in double
/// precision (PyTorch 2.x single-tensor code: lerp for m, bias corrections as Python floats),
/// over several steps, with parameter groups and a schedule.
/// </summary>
public class AdamOptimizerTests
{
    private static readonly double[,] X = { { 1.0, -0.5, 2.0 }, { 0.3, 0.8, -1.2 }, { -0.7, 0.1, 0.4 }, { 1.5, -1.0, 0.2 } };
    private static readonly double[,] Y = { { 0.5, -1.0 }, { 1.0, 0.0 }, { -0.3, 0.7 }, { 0.2, 0.9 } };
    private static readonly double[,] W0 = { { 0.2, -0.1, 0.4 }, { -0.3, 0.5, 0.1 } };
    private static readonly double[] B0 = { 0.05, -0.2 };
    private const int Steps = 7;

    public static TheoryData<string, double, double, double, double, bool> Settings => new()
    {
        // kind, lr, wd, beta1, beta2, bias without decay
        { "adam", 0.01, 0, 0.9, 0.999, false },
        { "adam", 0.01, 0.1, 0.9, 0.999, false },
        { "adamw", 0.01, 0.1, 0.9, 0.999, false },
        { "adamw", 0.05, 0.3, 0.5, 0.9, true },
        { "adam", 0.05, 0.3, 0.0, 0.99, true },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void StepMatchesTheUpdateWrittenOutByHandWithBiasCorrection(string kind, double lr, double wd, double beta1, double beta2, bool biasNoDecay)
    {
        var settings = new OptimizerSettings
        {
            Kind = OptimizerKindNames.Parse(kind), LearningRate = lr, WeightDecay = wd, Beta1 = beta1, Beta2 = beta2, Eps = 1e-8,
            NoDecay = biasNoDecay ? DecayExclusion.Bias : DecayExclusion.None,
            Schedule = new LrSchedule { Kind = ScheduleKind.Cosine, WarmupSteps = 2, Horizon = Steps },
        };
        var (w, b) = (Param(W0), Param(B0));
        var groups = DecayGroups.Split([("fc.weight", w), ("fc.bias", b)], new HashSet<string>(), settings);
        var adam = Optimizers.Create(groups, settings);
        for (var n = 0; n < Steps; n++)
        {
            adam.ZeroGrad();
            Loss(w, b).backward();
            Optimizers.ApplySchedule(adam, settings.Schedule, n);
            adam.Step();
        }
        var (hw, hb) = HandTrajectory(settings, biasNoDecay);
        AssertClose(hw, w, 1e-14);
        AssertClose(hb, b, 1e-14);
        // The updates are not vanishing: the parameters moved far beyond the tolerance.
        Assert.True(Math.Abs(hw[0, 0] - W0[0, 0]) > 1e-3);
    }

    [Fact]
    public void AdamWFirstStepIsDecayThenTheSignOfTheGradientTimesLr()
    {
        // Step 1: m̂ = g, v̂ = g², so the update is −η g/(|g| + ε) after θ ← (1 − ηλ)θ.
        var w = Param(W0);
        var settings = new OptimizerSettings { Kind = OptimizerKind.AdamW, LearningRate = 0.1, WeightDecay = 0.5, Eps = 0 };
        var adam = Optimizers.Create([new ParameterGroup("all", [("w", w)], 0.1, 0.5)], settings);
        (w * torch.tensor(new double[,] { { 1, -2, 3 }, { -4, 5, -6 } }, dtype: ScalarType.Float64)).sum().backward();
        adam.Step();
        double[,] expected = { { 0.95 * 0.2 - 0.1, 0.95 * -0.1 + 0.1, 0.95 * 0.4 - 0.1 }, { 0.95 * -0.3 + 0.1, 0.95 * 0.5 - 0.1, 0.95 * 0.1 + 0.1 } };
        AssertClose(expected, w, 1e-15);
    }

    [Fact]
    public void StateDictRoundTripContinuesTheSameTrajectoryBitForBit()
    {
        var settings = new OptimizerSettings { Kind = OptimizerKind.AdamW, LearningRate = 0.02, WeightDecay = 0.1 };
        var (w, b) = (Param(W0, ScalarType.Float32), Param(B0, ScalarType.Float32));
        var first = Optimizers.Create([new ParameterGroup("all", [("w", w), ("b", b)], 0.02, 0.1)], settings);
        first.RecordUpdates = true;
        for (var n = 0; n < 3; n++) { first.ZeroGrad(); Loss(w, b).backward(); first.Step(); }
        var (w2, b2) = (Clone(w), Clone(b));
        var resumed = Optimizers.Create([new ParameterGroup("all", [("w", w2), ("b", b2)], 0.02, 0.1)], settings);
        resumed.RecordUpdates = true;
        resumed.LoadStateDict(first.StateDict());
        Assert.True(first.LastUpdate("w")!.equal(resumed.LastUpdate("w")!).all().ReadBoolean());
        for (var n = 0; n < 4; n++)
        {
            first.ZeroGrad(); Loss(w, b).backward(); first.Step();
            resumed.ZeroGrad(); Loss(w2, b2).backward(); resumed.Step();
        }
        Assert.True(w.equal(w2).all().ReadBoolean());
        Assert.True(b.equal(b2).all().ReadBoolean());
        Assert.Equal(7, ((AdamOptimizer)resumed).StepCount("w"));
    }

    [Fact]
    public void RecordedUpdateIsTheChangeOfTheParameter()
    {
        var settings = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.02, WeightDecay = 0.1 };
        var (w, b) = (Param(W0, ScalarType.Float32), Param(B0, ScalarType.Float32));
        var adam = Optimizers.Create([new ParameterGroup("all", [("w", w), ("b", b)], 0.02, 0.1)], settings);
        adam.RecordUpdates = true;
        Loss(w, b).backward();
        var before = w.detach().clone();
        adam.Step();
        Assert.True(before.add(adam.LastUpdate("w")!).equal(w).all().ReadBoolean(), "θₙ + Δθ is θₙ₊₁ exactly");
    }

    [Fact]
    public void SgdStateIsRefusedByAdamWithTheKeyNamed()
    {
        var adam = Optimizers.Create([new ParameterGroup("all", [("w", Param(W0))], 0.1, 0)], new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 });
        var e = Assert.Throws<InvalidInputException>(() => adam.LoadStateDict(new() { ["w"] = torch.zeros(2, 3, dtype: ScalarType.Float64) }));
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void NoDecayPutsNormParametersAndBiasesInAGroupWithoutWeightDecay()
    {
        var settings = new OptimizerSettings { LearningRate = 0.1, WeightDecay = 5e-4, NoDecay = DecayExclusion.Norm | DecayExclusion.Bias };
        var net = nn.Sequential(("fc", nn.Linear(3, 4)), ("bn", nn.BatchNorm1d(4)), ("out", nn.Linear(4, 2, hasBias: false)));
        var groups = DecayGroups.For(net, settings);
        Assert.Equal(["decay", "no_decay"], groups.Select(g => g.Name));
        Assert.Equal(["fc.weight", "out.weight"], groups[0].Parameters.Select(p => p.Name));
        Assert.Equal(["fc.bias", "bn.weight", "bn.bias"], groups[1].Parameters.Select(p => p.Name));
        Assert.Equal((5e-4, 0.0), (groups[0].WeightDecay, groups[1].WeightDecay));
        var normOnly = DecayGroups.For(net, settings with { NoDecay = DecayExclusion.Norm });
        Assert.Equal(["fc.weight", "fc.bias", "out.weight"], normOnly[0].Parameters.Select(p => p.Name));
    }

    /// <summary>torch.optim.Adam/AdamW's single-tensor step on arrays (PyTorch 2.x), with the hand gradient of the MSE.</summary>
    private static (double[,] W, double[] B) HandTrajectory(OptimizerSettings s, bool biasNoDecay)
    {
        int n = X.GetLength(0), inputs = X.GetLength(1), outputs = Y.GetLength(1);
        var theta = new double[outputs * inputs + outputs];
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++) theta[o * inputs + i] = W0[o, i];
            theta[outputs * inputs + o] = B0[o];
        }
        var m = new double[theta.Length];
        var v = new double[theta.Length];
        for (var step = 0; step < Steps; step++)
        {
            // ηₙ: cosine after a linear warmup of 2 updates, horizon 7 (factor written out, not via LrSchedule).
            double factor = step < 2 ? (step + 1) / 2.0 : 0.5 * (1 + Math.Cos(Math.PI * (step - 2) / 5.0));
            double lr = s.LearningRate * factor;
            var g = new double[theta.Length];
            for (var k = 0; k < n; k++)
                for (var o = 0; o < outputs; o++)
                {
                    var r = theta[outputs * inputs + o] - Y[k, o];
                    for (var i = 0; i < inputs; i++) r += theta[o * inputs + i] * X[k, i];
                    var scale = 2.0 / (n * outputs) * r;
                    g[outputs * inputs + o] += scale;
                    for (var i = 0; i < inputs; i++) g[o * inputs + i] += scale * X[k, i];
                }
            int t = step + 1;
            double bc1 = 1 - Math.Pow(s.Beta1, t), bc2 = 1 - Math.Pow(s.Beta2, t);
            for (var j = 0; j < theta.Length; j++)
            {
                double wd = biasNoDecay && j >= outputs * inputs ? 0 : s.WeightDecay;
                double grad = g[j];
                if (wd != 0)
                {
                    if (s.Kind == OptimizerKind.AdamW) theta[j] *= 1 - lr * wd;
                    else grad += wd * theta[j];
                }
                // lerp(m, g, w) with w = 1 − β₁ < ½: m + w(g − m); with w ≥ ½: g − (g − m)(1 − w).
                double weight = 1 - s.Beta1;
                m[j] = weight < 0.5 ? m[j] + weight * (grad - m[j]) : grad - (grad - m[j]) * (1 - weight);
                v[j] = v[j] * s.Beta2 + grad * grad * (1 - s.Beta2);
                double denom = Math.Sqrt(v[j]) / Math.Pow(bc2, 0.5) + s.Eps;
                theta[j] += -(lr / bc1) * (m[j] / denom);
            }
        }
        var w = new double[outputs, inputs];
        var b = new double[outputs];
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++) w[o, i] = theta[o * inputs + i];
            b[o] = theta[outputs * inputs + o];
        }
        return (w, b);
    }

    private static Tensor Loss(Tensor w, Tensor b)
    {
        var x = torch.tensor(X, dtype: w.dtype);
        var y = torch.tensor(Y, dtype: w.dtype);
        return nn.functional.mse_loss(x.matmul(w.t()) + b, y);
    }

    private static Parameter Param(double[,] values, ScalarType dtype = ScalarType.Float64) => new(torch.tensor(values, dtype: dtype));
    private static Parameter Param(double[] values, ScalarType dtype = ScalarType.Float64) => new(torch.tensor(values, dtype: dtype));
    private static Parameter Clone(Parameter p) => new(p.detach().clone());

    private static void AssertClose(double[,] expected, Tensor actual, double tolerance)
    {
        var a = actual.to(ScalarType.Float64).data<double>().ToArray();
        var e = expected.Cast<double>().ToArray();
        for (var i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"element {i}: expected {e[i]:R}, found {a[i]:R}");
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        var a = actual.to(ScalarType.Float64).data<double>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, found {a[i]:R}");
    }
}
