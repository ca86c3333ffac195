using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Theory;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// The matrix charges of one attention (d = 4, two heads of d_h = 2, biases) under updates written
/// out by hand with PyTorch's semantics, in float64, against <see cref="MatrixChargeLaws"/>.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class MatrixChargeLawTests
{
    private sealed class Head(MultiHeadAttention attention)
    {
        private readonly Dictionary<string, Parameter> p = attention.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        public Parameter[] All => p.Values.ToArray();

        // Ŵ = [W | b] of one head, and W_Oʰ's columns as rows, from any field shaped like the parameters.
        private static Tensor Rows(Tensor w, Tensor b, int h) => cat([w, b.unsqueeze(1)], 1)[TensorIndex.Slice(2 * h, 2 * h + 2)];
        public (Tensor Q, Tensor K, Tensor V, Tensor O) Factors(Func<Parameter, Tensor> of, int h) =>
            (Rows(of(p["q.weight"]), of(p["q.bias"]), h), Rows(of(p["k.weight"]), of(p["k.bias"]), h),
             Rows(of(p["v.weight"]), of(p["v.bias"]), h), of(p["o.weight"])[TensorIndex.Colon, TensorIndex.Slice(2 * h, 2 * h + 2)].t());
        public Tensor Charges(Func<Parameter, Tensor> of) => stack(Enumerable.Range(0, 2).Select(h =>
        {
            var (q, k, v, o) = Factors(of, h);
            return stack([MatrixChargeLaws.Difference(q, k), MatrixChargeLaws.Difference(v, o)]);
        }).ToArray());
    }

    private static (MultiHeadAttention Attention, Head Head, Func<Tensor> Loss) Setup()
    {
        torch.manual_seed(12);
        var attention = new MultiHeadAttention(4, 2);
        attention.to(ScalarType.Float64);
        var generator = new Generator(5);
        var x = randn([6, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var target = randn([6, 3, 4], dtype: ScalarType.Float64, generator: generator);
        return (attention, new Head(attention), () => (attention.forward(x).tanh() - target).square().mean());
    }

    private static Tensor[] Gradients(MultiHeadAttention attention, Func<Tensor> loss)
    {
        foreach (var p in attention.parameters()) p.grad?.zero_();
        loss().backward();
        return attention.parameters().Select(p => p.grad!.clone()).ToArray();
    }

    private static double Relative(Tensor error, Tensor scale) => error.abs().max().ReadDouble() / scale.abs().max().ReadDouble();

    [Fact]
    public void TheGradientIdentitiesHoldPerHead()
    {
        var (attention, head, loss) = Setup();
        Gradients(attention, loss);
        for (int h = 0; h < 2; h++)
        {
            var (q, k, v, o) = head.Factors(p => p.detach(), h);
            var (gq, gk, gv, go) = head.Factors(p => p.grad!, h);
            Assert.True(Relative(q.matmul(gq.t()) - gk.matmul(k.t()), q.matmul(gq.t())) < 1e-13); // Ŵ_Q G_Qᵀ = G_K Ŵ_Kᵀ
            Assert.True(Relative(v.matmul(gv.t()) - go.matmul(o.t()), v.matmul(gv.t())) < 1e-13); // Ŵ_V G_Vᵀ = G_Oᵀ W_Oʰ
        }
    }

    [Fact]
    public void SgdWithWeightDecayMovesTheChargesExactlyByTheDiscreteLaw()
    {
        var (attention, head, loss) = Setup();
        const double eta = 0.5, lambda = 0.05;
        using Scalar decay = 1 - eta * lambda, step = eta;
        var predicted = head.Charges(p => p.detach());
        var first = predicted.clone();
        for (int n = 0; n < 20; n++)
        {
            Gradients(attention, loss);
            var forcing = head.Charges(p => p.grad!);
            using (no_grad())
                foreach (var p in attention.parameters()) p.mul_(decay).sub_(p.grad! * step); // θ ← (1−ηλ)θ − ηg = θ − η(g + λθ)
            predicted = MatrixChargeLaws.DiscreteStep(predicted, forcing, eta, lambda);
        }
        var measured = head.Charges(p => p.detach());
        Assert.True(Relative(measured - predicted, measured) < 1e-12, $"{Relative(measured - predicted, measured):G3}");
        Assert.True(Relative(measured - first, first) > 1e-2); // the charges did move: gradient flow is wrong here
    }

    [Fact]
    public void HeavyBallMomentumMovesTheChargesExactlyByTheMatrixRecurrence()
    {
        var (attention, head, loss) = Setup();
        const double eta = 0.2, lambda = 0.05, beta = 0.9;
        using Scalar b = beta, l = lambda, e = eta;
        var velocity = attention.parameters().Select(p => zeros_like(p)).ToArray();
        var charge = head.Charges(p => p.detach());
        var cross = zeros_like(charge); // Π = 0: no velocity before the first update
        for (int n = 0; n < 25; n++)
        {
            var g = Gradients(attention, loss);
            var parameters = attention.parameters().ToArray();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++)
                {
                    velocity[i] = velocity[i] * b + g[i] + parameters[i].detach() * l; // v' = βv + (g + λθ)
                    parameters[i].sub_(velocity[i] * e);
                }
            var v = parameters.Zip(velocity).ToDictionary(x => x.First, x => x.Second);
            (charge, cross) = MatrixChargeLaws.MomentumStep(charge, cross, head.Charges(p => v[p]), eta, lambda, beta, 0);
        }
        var measured = head.Charges(p => p.detach());
        Assert.True(Relative(measured - charge, measured) < 1e-11, $"{Relative(measured - charge, measured):G3}");
    }

    [Fact]
    public void TheModifiedFlowWithConstantForcingMatchesItsClosedForm()
    {
        var generator = new Generator(1);
        var c0 = randn([2, 3, 3], dtype: ScalarType.Float64, generator: generator);
        var f = randn([2, 3, 3], dtype: ScalarType.Float64, generator: generator);
        const double eta = 0.1, lambda = 0.3;
        var c = c0;
        for (int n = 0; n < 50; n++) c = MatrixChargeLaws.ModifiedFlowStep(c, f, eta, lambda);
        double t = 50 * eta;
        // C(t) = e^{−2λt}C(0) + η F (1 − e^{−2λt})/(2λ)
        using Scalar free = Math.Exp(-2 * lambda * t), driven = eta * (1 - Math.Exp(-2 * lambda * t)) / (2 * lambda);
        Assert.True(Relative(c - (c0 * free + f * driven), c) < 1e-13);
    }

    [Fact]
    public void WithoutWeightDecayTheChargesDriftAtSecondOrderInTheStepSoGradientFlowConservesThem()
    {
        double Drift(double eta, int steps)
        {
            var (attention, head, loss) = Setup();
            using Scalar s = eta;
            var c0 = head.Charges(p => p.detach());
            for (int n = 0; n < steps; n++)
            {
                Gradients(attention, loss);
                using (no_grad()) foreach (var p in attention.parameters()) p.sub_(p.grad! * s);
            }
            return (head.Charges(p => p.detach()) - c0).abs().max().ReadDouble();
        }
        // The same flow time t = 0.2: halving η doubles the steps and halves the drift (Σ η²F ≈ η·t·F).
        double ratio = Drift(0.02, 10) / Drift(0.01, 20);
        Assert.InRange(ratio, 1.8, 2.2);
    }
}
