using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

public class LearningTests
{
    private static readonly double Chance10 = Math.Log(10);

    [Fact]
    public void ALossThatStaysWithinOnePercentOfLnClassesDidNotLearn()
    {
        // ln 10 = 2.302585; 1 % of it is 0.023026: 2.28 and 2.325 are inside, the plateau of the thin VGGs.
        Assert.True(Learning.DidNotLearn([2.3026, 2.2803, 2.3248, 2.3010], 10));
        Assert.True(Learning.DidNotLearn([Chance10 * 0.99, Chance10 * 1.01], 10));
    }

    [Fact]
    public void OneLossOutsideTheOnePercentBandMeansTheRunLearned()
    {
        Assert.False(Learning.DidNotLearn([2.3026, 2.30, 2.25], 10));   // 2.25 is 2.3 % below ln 10
        Assert.False(Learning.DidNotLearn([2.3026, 2.40], 10));          // above the band counts too
        Assert.False(Learning.DidNotLearn([Chance10 * 0.9899], 10));
    }

    [Fact]
    public void TheChanceLevelIsLnOfTheClassCount()
    {
        var chance200 = Math.Log(200); // 5.2983
        Assert.True(Learning.DidNotLearn([5.2983, 5.30], 200));
        Assert.False(Learning.DidNotLearn([2.3026], 200));
        Assert.True(Learning.DidNotLearn([Math.Log(2)], 2));
        Assert.False(Learning.DidNotLearn([chance200], 10));
    }

    [Fact]
    public void NoLossesOrANonFiniteLossIsNotJudgedAsDidNotLearn()
    {
        Assert.False(Learning.DidNotLearn([], 10));
        Assert.False(Learning.DidNotLearn([2.3026, double.NaN], 10));
        Assert.False(Learning.DidNotLearn([2.3026, double.PositiveInfinity], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Learning.DidNotLearn([0.0], 1));
    }

    [Fact]
    public void TrailingMeanAveragesTheLastValuesOrAllWhenThereAreFewer()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        Assert.Equal((51 + 100) / 2.0, Learning.TrailingMean(values, 50), 1e-12);
        Assert.Equal(2.0, Learning.TrailingMean([1.0, 2.0, 3.0], 50), 1e-12);
        Assert.Equal(3.0, Learning.TrailingMean([1.0, 2.0, 3.0], 1), 1e-12);
        Assert.True(double.IsNaN(Learning.TrailingMean([], 50)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Learning.TrailingMean([1.0], 0));
    }
}
