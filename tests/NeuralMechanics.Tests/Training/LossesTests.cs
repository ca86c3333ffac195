using NeuralMechanics.Models;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

public class LossesTests
{
    private static readonly double[,] Outputs = { { 1.0, 2.0, 3.0 }, { 0.5, -1.0, 2.0 } };
    private static readonly long[] Labels = { 2, 0 };

    [Fact]
    public void CrossEntropyIsTheMeanNegativeLogSoftmaxOfTheLabel()
    {
        var expected = 0.0;
        for (var n = 0; n < 2; n++)
        {
            var logSum = Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(Outputs[n, c])));
            expected += (logSum - Outputs[n, Labels[n]]) / 2;
        }
        var loss = Losses.CrossEntropy(tensor(Outputs), tensor(Labels)).ReadDouble();
        Assert.Equal(expected, loss, 1e-12);
    }

    [Fact]
    public void MeanSquaredErrorAveragesOverAllElementsAgainstOneHotTargets()
    {
        var expected = 0.0;
        for (var n = 0; n < 2; n++)
            for (var c = 0; c < 3; c++)
                expected += Math.Pow(Outputs[n, c] - (c == Labels[n] ? 1 : 0), 2) / 6;
        var loss = Losses.MeanSquaredError(tensor(Outputs), tensor(Labels)).ReadDouble();
        Assert.Equal(expected, loss, 1e-12);
    }

    [Fact]
    public void LossNamesSelectBothLossesAndRejectOthers()
    {
        var (o, l) = (tensor(Outputs), tensor(Labels));
        Assert.Equal(Losses.CrossEntropy(o, l).ReadDouble(), Losses.For(LossKindNames.Parse("cross-entropy"))(o, l).ReadDouble());
        Assert.Equal(Losses.MeanSquaredError(o, l).ReadDouble(), Losses.For(LossKindNames.Parse("mse"))(o, l).ReadDouble());
        var ex = Assert.Throws<InvalidInputException>(() => LossKindNames.Parse("hinge"));
        Assert.Contains("hinge", ex.Message);
    }
}
