namespace NeuralMechanics.Tests;

public class OrderStatisticsTests
{
    [Fact]
    public void TheMedianOfAnOddCountIsTheMiddleValueInOrder() =>
        Assert.Equal(3.0, OrderStatistics.Median([5.0, 1.0, 3.0, 9.0, 2.0]));

    [Fact]
    public void TheMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() =>
        Assert.Equal(2.5, OrderStatistics.Median([4.0, 1.0, 3.0, 2.0]));

    [Fact]
    public void NoValuesHaveNoMedian() =>
        Assert.Throws<ArgumentException>(() => OrderStatistics.Median([]));
}
