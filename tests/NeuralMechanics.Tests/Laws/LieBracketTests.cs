using NeuralMechanics.Laws;
using NeuralMechanics.Models;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Laws;

/// <summary>The brackets by double backward against central finite differences of the fields themselves.</summary>
[Collection(TorchRngCollection.Name)]
public class LieBracketTests
{
    private static (ProbeFields Fields, Parameter[] Theta) Tanh()
    {
        torch.manual_seed(11);
        var network = nn.Sequential(("fc1", nn.Linear(2, 3)), ("act1", nn.Tanh()), ("out", nn.Linear(3, 2)));
        network.to(ScalarType.Float64);
        var theta = network.parameters().ToArray();
        var inputs = randn([5, 2], dtype: ScalarType.Float64, generator: new Generator(1));
        return (new ProbeFields(network, theta, inputs, LossKind.CrossEntropy, 2, 5), theta);
    }

    /// <summary>DF·v by central differences: (F(θ + εv) − F(θ − εv)) / 2ε.</summary>
    private static Tensor Directional(Func<Tensor> field, Parameter[] theta, Tensor v)
    {
        const double eps = 1e-5;
        Tensor Shifted(double e)
        {
            long offset = 0;
            using (no_grad())
                foreach (var p in theta)
                {
                    long n = p.numel();
                    using TorchSharp.Scalar s = e;
                    p.add_(v[TensorIndex.Slice(offset, offset + n)].view(p.shape), alpha: s);
                    offset += n;
                }
            return field();
        }
        var plus = Shifted(eps);
        var minus = Shifted(-2 * eps);
        Shifted(eps).Dispose();
        using TorchSharp.Scalar twoEps = 2 * eps;
        return (plus - minus) / twoEps;
    }

    [Fact]
    public void DepthTwoBracketIsDBTimesAMinusDATimesB()
    {
        var (fields, theta) = Tanh();
        var g = new Generator(2);
        var a = fields.RandomWeighting(g);
        var b = fields.RandomWeighting(g);
        Tensor A() => Derivatives.Flatten(fields.Field(a, false));
        Tensor B() => Derivatives.Flatten(fields.Field(b, false));
        var expected = Directional(B, theta, A()) - Directional(A, theta, B());
        var bracket = Derivatives.Flatten(LieBracket.Evaluate(fields, [a, b]));
        double error = (bracket - expected).norm().ReadDouble() / expected.norm().ReadDouble();
        Assert.True(error < 1e-7, $"relative error {error}");
    }

    [Fact]
    public void DepthThreeBracketIsTheBracketOfAWithTheDepthTwoBracket()
    {
        var (fields, theta) = Tanh();
        var g = new Generator(3);
        var a = fields.RandomWeighting(g);
        var b = fields.RandomWeighting(g);
        var c = fields.RandomWeighting(g);
        Tensor A() => Derivatives.Flatten(fields.Field(a, false));
        Tensor Bc() => Derivatives.Flatten(LieBracket.Evaluate(fields, [b, c]));
        var expected = Directional(Bc, theta, A()) - Directional(A, theta, Bc());
        var bracket = Derivatives.Flatten(LieBracket.Evaluate(fields, [a, b, c]));
        double error = (bracket - expected).norm().ReadDouble() / expected.norm().ReadDouble();
        Assert.True(error < 1e-6, $"relative error {error}");
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy)]
    [InlineData(LossKind.MeanSquaredError)]
    public void EveryLabelColumnIsTheRunsLossOfThatLabel(LossKind kind)
    {
        var outputs = randn([3, 4], dtype: ScalarType.Float64, generator: new Generator(4));
        var all = NeuralMechanics.Training.Losses.EveryLabel(kind, outputs);
        for (int s = 0; s < 3; s++)
            for (int k = 0; k < 4; k++)
            {
                double expected = NeuralMechanics.Training.Losses.For(kind)(outputs[s].unsqueeze(0), tensor(new long[] { k })).ReadDouble();
                Assert.Equal(expected, all[s, k].ReadDouble(), 14);
            }
    }
}
