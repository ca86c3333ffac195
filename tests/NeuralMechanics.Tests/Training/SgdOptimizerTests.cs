using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

public class SgdOptimizerTests
{
    // Fixed data for a 3 → 2 linear model trained with MSE (mean over all N·C elements).
    private static readonly double[,] X = { { 1.0, -0.5, 2.0 }, { 0.3, 0.8, -1.2 }, { -0.7, 0.1, 0.4 }, { 1.5, -1.0, 0.2 } };
    private static readonly double[,] Y = { { 0.5, -1.0 }, { 1.0, 0.0 }, { -0.3, 0.7 }, { 0.2, 0.9 } };
    private static readonly double[,] W0 = { { 0.2, -0.1, 0.4 }, { -0.3, 0.5, 0.1 } };
    private static readonly double[] B0 = { 0.05, -0.2 };
    private const int Steps = 5;

    public static TheoryData<double, double, double, bool> Settings => new()
    {
        { 0.0, 0.0, 0.0, false },
        { 0.0, 0.0, 0.01, false },
        { 0.9, 0.0, 0.0, false },
        { 0.9, 0.5, 0.01, false },
        { 0.9, 0.0, 0.01, true },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void StepMatchesTheUpdateWrittenOutByHandInDoublePrecision(double beta, double dampening, double wd, bool nesterov)
    {
        var settings = new SgdSettings(0.1, wd, beta, dampening, nesterov);
        var (w, b) = (Param(W0), Param(B0));
        var sgd = new SgdOptimizer([("weight", w), ("bias", b)], settings);
        var (hw, hb) = HandTrajectory(settings);
        for (var n = 0; n < Steps; n++)
        {
            sgd.ZeroGrad();
            Loss(w, b).backward();
            sgd.Step();
        }
        AssertClose(hw, w, 1e-12);
        AssertClose(hb, b, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void StepIsBitIdenticalToTorchSharpSgd(double beta, double dampening, double wd, bool nesterov)
    {
        var settings = new SgdSettings(0.1, wd, beta, dampening, nesterov);
        var (w, b) = (Param(W0, ScalarType.Float32), Param(B0, ScalarType.Float32));
        var (rw, rb) = (Param(W0, ScalarType.Float32), Param(B0, ScalarType.Float32));
        var ours = new SgdOptimizer([("weight", w), ("bias", b)], settings);
        using var reference = torch.optim.SGD([rw, rb], 0.1, beta, dampening, wd, nesterov);
        for (var n = 0; n < Steps; n++)
        {
            ours.ZeroGrad();
            Loss(w, b).backward();
            ours.Step();
            reference.zero_grad();
            Loss(rw, rb).backward();
            reference.step();
        }
        Assert.True(w.equal(rw).all().ReadBoolean(), "weights differ from torch.optim.SGD");
        Assert.True(b.equal(rb).all().ReadBoolean(), "biases differ from torch.optim.SGD");
    }

    [Fact]
    public void MomentumBufferIsTheFirstGradientAfterOneStepAndNullWithoutMomentum()
    {
        var w = Param(W0);
        var sgd = new SgdOptimizer([("weight", w)], new SgdSettings(0.1, Momentum: 0.9, Dampening: 0.5));
        Assert.Null(sgd.MomentumBuffer("weight"));
        Loss(w, Param(B0)).backward();
        var g = w.grad!.clone();
        sgd.Step();
        // PyTorch does not dampen the first step: v₁ = d₀.
        Assert.True(sgd.MomentumBuffer("weight")!.equal(g).all().ReadBoolean());

        var plain = new SgdOptimizer([("weight", Param(W0))], new SgdSettings(0.1));
        plain.Step();
        Assert.Null(plain.MomentumBuffer("weight"));
    }

    [Fact]
    public void ParameterWithoutGradientIsLeftUnchanged()
    {
        var (w, frozen) = (Param(W0), Param(B0));
        var sgd = new SgdOptimizer([("weight", w), ("bias", frozen)], new SgdSettings(0.1, 0.5, 0.9));
        (w * w).sum().backward();
        sgd.Step();
        AssertClose(B0, frozen, 0);
        Assert.Null(sgd.MomentumBuffer("bias"));
        Assert.NotNull(sgd.MomentumBuffer("weight"));
    }

    [Fact]
    public void StateDictRoundTripContinuesTheSameTrajectory()
    {
        var settings = new SgdSettings(0.1, 0.01, 0.9, 0.2);
        var (w, b) = (Param(W0), Param(B0));
        var first = new SgdOptimizer([("weight", w), ("bias", b)], settings);
        for (var n = 0; n < 2; n++) { first.ZeroGrad(); Loss(w, b).backward(); first.Step(); }

        var (w2, b2) = (Clone(w), Clone(b));
        var resumed = new SgdOptimizer([("weight", w2), ("bias", b2)], settings);
        resumed.LoadStateDict(first.StateDict());
        for (var n = 0; n < 3; n++)
        {
            first.ZeroGrad(); Loss(w, b).backward(); first.Step();
            resumed.ZeroGrad(); Loss(w2, b2).backward(); resumed.Step();
        }
        Assert.True(w.equal(w2).all().ReadBoolean());
        Assert.True(b.equal(b2).all().ReadBoolean());
    }

    [Fact]
    public void LoadStateDictNamesTheMismatchedBuffer()
    {
        var sgd = new SgdOptimizer([("weight", Param(W0))], new SgdSettings(0.1, Momentum: 0.9));
        var ex = Assert.Throws<InvalidInputException>(() => sgd.LoadStateDict(new() { ["weight"] = torch.zeros(3, dtype: ScalarType.Float64) }));
        Assert.Contains("'weight'", ex.Message);
        ex = Assert.Throws<InvalidInputException>(() => sgd.LoadStateDict(new() { ["other"] = torch.zeros(2, 3, dtype: ScalarType.Float64) }));
        Assert.Contains("'other'", ex.Message);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        Assert.Throws<InvalidInputException>(() => new SgdOptimizer([("weight", Param(W0))], new SgdSettings(0.1, Nesterov: true)));
    }

    /// <summary>The same training written out on arrays: gradient of the MSE by hand, then the PyTorch update.</summary>
    private static (double[,] W, double[] B) HandTrajectory(SgdSettings s)
    {
        int n = X.GetLength(0), inputs = X.GetLength(1), outputs = Y.GetLength(1);
        var w = (double[,])W0.Clone();
        var b = (double[])B0.Clone();
        var vw = new double[outputs, inputs];
        var vb = new double[outputs];
        for (var step = 0; step < Steps; step++)
        {
            // L = 1/(N·C) Σ (Wx + b − y)²  ⇒  ∂L/∂W = 2/(N·C) Σ r xᵀ, ∂L/∂b = 2/(N·C) Σ r.
            var gw = new double[outputs, inputs];
            var gb = new double[outputs];
            for (var k = 0; k < n; k++)
                for (var o = 0; o < outputs; o++)
                {
                    var r = b[o] - Y[k, o];
                    for (var i = 0; i < inputs; i++) r += w[o, i] * X[k, i];
                    var scale = 2.0 / (n * outputs) * r;
                    gb[o] += scale;
                    for (var i = 0; i < inputs; i++) gw[o, i] += scale * X[k, i];
                }
            for (var o = 0; o < outputs; o++)
            {
                for (var i = 0; i < inputs; i++)
                    w[o, i] = Update(w[o, i], gw[o, i], ref vw[o, i], step, s);
                b[o] = Update(b[o], gb[o], ref vb[o], step, s);
            }
        }
        return (w, b);
    }

    private static double Update(double theta, double g, ref double v, int step, SgdSettings s)
    {
        var d = g + s.WeightDecay * theta;
        if (s.Momentum == 0) return theta - s.LearningRate * d;
        v = step == 0 ? d : s.Momentum * v + (1 - s.Dampening) * d;
        return theta - s.LearningRate * (s.Nesterov ? d + s.Momentum * v : v);
    }

    private static Tensor Loss(Tensor w, Tensor b)
    {
        var x = torch.tensor(X, dtype: w.dtype);
        var y = torch.tensor(Y, dtype: w.dtype);
        return nn.functional.mse_loss(x.matmul(w.t()) + b, y);
    }

    private static Parameter Param(double[,] values, ScalarType dtype = ScalarType.Float64) => new(torch.tensor(values, dtype: dtype));
    private static Parameter Param(double[] values, ScalarType dtype = ScalarType.Float64) => new(torch.tensor(values, dtype: dtype));
    private static Parameter Clone(Parameter p) { using var noGrad = torch.no_grad(); return new Parameter(p.detach().clone()); }

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
