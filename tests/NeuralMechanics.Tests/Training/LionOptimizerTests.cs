using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Resume;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Theory.Optimizers;
using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

[Collection(TorchRngCollection.Name)]
public class LionOptimizerTests
{
    [Fact]
    public void LionStepsInFloat32EqualTheReferenceWrittenWithPlainTorchOpsBitForBit()
    {
        double lr = 3e-3, wd = 0.2, b1 = 0.9, b2 = 0.99;
        torch.manual_seed(11);
        var p = new Parameter(randn([5, 7]));
        var lion = Optimizers.Create([new ParameterGroup("all", [("w", p)], lr, wd)],
            new OptimizerSettings { Kind = LionDefinition.Lion, LearningRate = lr, WeightDecay = wd, Beta1 = b1, Beta2 = b2 });
        using Scalar decay = 1 - lr * wd, eta = lr, beta1 = b1, oneMinusBeta1 = 1 - b1, beta2 = b2, oneMinusBeta2 = 1 - b2;
        using var theta = p.detach().clone();
        var m = zeros_like(theta);
        for (int step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            // Gradients whose momentum changes sign between steps, so sign(c) is not always sign(g).
            var g = randn([5, 7]).mul_(step % 2 == 0 ? eta : beta1);
            p.grad = g.clone().DetachFromDisposeScope();
            lion.Step();
            // c = β₁m + (1−β₁)g; θ ← θ(1−ηλ) − η·sign(c); m ← β₂m + (1−β₂)g.
            var c = m.mul(beta1).add(g.mul(oneMinusBeta1));
            theta.copy_(theta.mul(decay).sub(c.sign().mul(eta)));
            var next = m.mul(beta2).add(g.mul(oneMinusBeta2)).DetachFromDisposeScope();
            m.Dispose();
            m = next;
            Assert.Equal(theta.data<float>().ToArray(), p.data<float>().ToArray());
        }
        m.Dispose();
    }

    [Fact]
    public void AShortLionRunTracksEveryKindsUpdateIdentityToTheZoosMedianRelativeErrorOfOneInAMillion()
    {
        using var dir = new TempDirectory();
        // BatchNorm: translation, scale and rescale groups, every law the tracker has.
        var spec = ResumeConfigs.Mlp("batchnorm", dir.Path, 30) with
        {
            Optimizer = new OptimizerSettings { Kind = LionDefinition.Lion, LearningRate = 1e-3, WeightDecay = 0.1 },
            LogEvery = 1,
        };
        var result = Trainer.Run(spec);

        var identity = result.Errors.Where(r => r.Predictor == "discrete").ToList();
        Assert.Equal([SymmetryKind.Translation, SymmetryKind.Scale, SymmetryKind.Rescale], identity.Select(r => r.Kind).Order());
        Assert.All(identity, r => Assert.True(r.Count > 0 && r.Median <= 1e-6, $"{r.Kind}: median {r.Median} over {r.Count}"));
    }

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
