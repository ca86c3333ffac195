using NeuralMechanics.Theory.Optimizers;
using NeuralMechanics.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

public class LionOptimizerTests
{
    [Fact]
    public void LionStepsEqualTheLionPytorchFormulasInDoublePrecision()
    {
        double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.99;
        double[] theta = [0.5, -1.2, 0.3, 2.0], m = new double[4];
        var p = new Parameter(tensor(theta, dtype: ScalarType.Float64));
        var lion = Optimizers.Create([new ParameterGroup("all", [("w", p)], lr, wd)],
            new OptimizerSettings { Kind = LionDefinition.Lion, LearningRate = lr, WeightDecay = wd, Beta1 = b1, Beta2 = b2 });
        var random = new Random(3);
        for (int step = 0; step < 5; step++)
        {
            var g = Enumerable.Range(0, 4).Select(_ => random.NextDouble() - 0.5).ToArray();
            p.grad = tensor(g, dtype: ScalarType.Float64);
            lion.Step();
            for (int i = 0; i < 4; i++)
            {
                theta[i] *= 1 - lr * wd;
                theta[i] -= lr * Math.Sign(b1 * m[i] + (1 - b1) * g[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
            var got = p.data<double>().ToArray();
            for (int i = 0; i < 4; i++) Assert.Equal(theta[i], got[i], 1e-15);
        }
    }

    [Theory]
    [InlineData(0.9, 0.99, 0.01)]
    [InlineData(0.5, 0.9, 0.001)]
    public void LionEquilibriumAngularUpdateIsKossonsClosedForm(double b1, double b2, double etaLambda)
    {
        double expected = Math.Sqrt(Math.PI / 2 * 2 * etaLambda * ((1 - b1) * (1 - b1) + b1 * b1 * (1 - b2) / (1 + b2)));
        Assert.Equal(expected, new LionTheory(b1, b2).EquilibriumAngularUpdate(etaLambda / 0.1, 0.1), 1e-15);
    }
}
