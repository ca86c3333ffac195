using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

public class LearningTests
{
    private static readonly double Ln10 = Math.Log(10);

    [Fact]
    public void ARunThatStaysWithinOnePercentOfLnClassesDidNotLearn()
    {
        // ln 10 = 2.302585; 1 % of it is 0.023026.
        Assert.True(Learning.DidNotLearn([2.3026, 2.31, 2.2950, 2.3250], 10));
        Assert.True(Learning.DidNotLearn([Ln10 * 1.00999, Ln10 * 0.99001], 10));
    }

    [Fact]
    public void OneStepOffThePlateauIsEnoughToHaveLearned()
    {
        Assert.False(Learning.DidNotLearn([2.3026, 2.30, 2.27, 2.30], 10));
        Assert.False(Learning.DidNotLearn([Ln10 * 1.0101, Ln10], 10));
        // Diverged or empty runs are not "did not learn": they have their own state.
        Assert.False(Learning.DidNotLearn([2.3026, double.NaN], 10));
        Assert.False(Learning.DidNotLearn([], 10));
    }

    [Fact]
    public void ThePlateauDependsOnTheNumberOfClasses()
    {
        // ln 200 = 5.2983: a 10-class plateau is far from it.
        Assert.True(Learning.DidNotLearn([5.30, 5.29], 200));
        Assert.False(Learning.DidNotLearn([2.3026], 200));
    }

    [Fact]
    public void TheTrailingMeanAveragesTheLastValuesOnly()
    {
        double[] accuracy = [0.1, 0.2, 0.5, 0.7, 0.9];
        Assert.Equal((0.5 + 0.7 + 0.9) / 3, Learning.TrailingMean(accuracy, 3), 15);
        Assert.Equal(accuracy.Average(), Learning.TrailingMean(accuracy, 50), 15);
        Assert.True(double.IsNaN(Learning.TrailingMean([], 50)));
    }

    [Fact]
    public void ARunThatEndsOnThePlateauAfterAnEarlySpikeDidNotLearnAndOneThatLeavesItLateDid()
    {
        double[] spikeThenDead = [.. Enumerable.Repeat(40.0, 10), .. Enumerable.Repeat(Ln10, Learning.TrailingSteps)];
        double[] lateLearner = [.. Enumerable.Repeat(Ln10, 100), .. Enumerable.Repeat(Ln10 * 0.9, Learning.TrailingSteps)];

        Assert.True(Learning.DidNotLearn(spikeThenDead, 10));
        Assert.False(Learning.DidNotLearn(lateLearner, 10));
    }
}
