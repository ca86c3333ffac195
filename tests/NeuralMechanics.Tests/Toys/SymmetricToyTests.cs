using NeuralMechanics.Symmetry;
using NeuralMechanics.Toys;

namespace NeuralMechanics.Tests.Toys;

/// <summary>The Fig. 2/3 toys have the symmetry they claim, and gradient flow conserves its quantity.</summary>
public class SymmetricToyTests
{
    public static TheoryData<int> ToyIndices => new() { 0, 1, 2 };

    private static readonly Vec2[] Probes = [new(0.7, -1.3), new(-1.1, 0.4), new(1.5, 1.2), new(-0.3, -0.8)];

    [Theory]
    [MemberData(nameof(ToyIndices))]
    public void HandWrittenGradientMatchesCentralDifferencesOfTheLoss(int index)
    {
        var toy = SymmetricToy.All[index];
        const double h = 1e-6;
        foreach (var w in Probes)
        {
            var g = toy.Gradient(w);
            double d1 = (toy.Loss(w + new Vec2(h, 0)) - toy.Loss(w - new Vec2(h, 0))) / (2 * h);
            double d2 = (toy.Loss(w + new Vec2(0, h)) - toy.Loss(w - new Vec2(0, h))) / (2 * h);
            Assert.Equal(d1, g.X, 1e-8);
            Assert.Equal(d2, g.Y, 1e-8);
        }
    }

    [Theory]
    [MemberData(nameof(ToyIndices))]
    public void LossIsInvariantUnderTheGroupActionAndGradientIsOrthogonalToTheGenerator(int index)
    {
        var toy = SymmetricToy.All[index];
        foreach (var w in Probes)
            foreach (double alpha in new[] { 0.3, 1.7, 4.0 })
            {
                var moved = toy.Kind switch
                {
                    SymmetryKind.Translation => w + new Vec2(alpha, alpha),
                    SymmetryKind.Scale => alpha * w,
                    _ => new Vec2(alpha * w.X, w.Y / alpha),
                };
                Assert.Equal(toy.Loss(w), toy.Loss(moved), 1e-13);
                var g = toy.Gradient(w);
                Assert.True(Math.Abs(g.Dot(toy.Generator(w))) <= 1e-13 * (1 + g.Length * toy.Generator(w).Length));
            }
    }

    [Theory]
    [MemberData(nameof(ToyIndices))]
    public void ConservedQuantityStaysConstantAlongRk4GradientFlow(int index)
    {
        var toy = SymmetricToy.All[index];
        foreach (var start in toy.Starts)
        {
            var path = ToyFigures.GradientFlowPath(toy, start);
            double drift = path.Max(w => Math.Abs(toy.Conserved(w) - toy.Conserved(start)));
            Assert.True(drift < 1e-9, $"{toy.Kind} from {start}: drift {drift:E2}");
            // Not a trivial pass: the flow really moved and lowered the loss.
            Assert.True((path[^1] - start).Length > 0.1, $"{toy.Kind} from {start}: moved only {(path[^1] - start).Length:F3}");
            Assert.True(toy.Loss(path[^1]) < toy.Loss(start) - 1e-3);
        }
    }
}
