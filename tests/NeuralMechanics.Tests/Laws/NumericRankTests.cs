using NeuralMechanics.Laws;

namespace NeuralMechanics.Tests.Laws;

public class NumericRankTests
{
    [Fact]
    public void RankCountsValuesAboveTheToleranceAndTheGapIsKeptOverDropped()
    {
        var (rank, gap) = NumericRank.Of([3.0, 1e-3, 1e-14, 1e-15], 1e-9);
        Assert.Equal(2, rank);
        Assert.Equal(1e-3 / 1e-14, gap, 1e-3);
    }

    [Fact]
    public void FullRankGapIsTheSmallestOverTheToleranceAndNoRankTheToleranceOverTheLargest()
    {
        Assert.Equal((2, 1e-2 / 1e-9), NumericRank.Of([1.0, 1e-2], 1e-9));
        var (rank, gap) = NumericRank.Of([1e-13, 1e-15], 1e-9);
        Assert.Equal(0, rank);
        Assert.Equal(1e4, gap, 1e-6);
    }
}
