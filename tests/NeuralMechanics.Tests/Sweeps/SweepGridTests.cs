using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

public class SweepGridTests
{
    [Fact]
    public void PointsAreEveryCombinationWithTheFirstAxisSlowestAndNamedInAxisOrder()
    {
        var grid = SweepGrid.Parse("lr=0.1,0.01 wd=0,1e-4,5e-4,1e-3 momentum=0,0.9,0.99");

        var names = grid.Points().Select(SweepGrid.Name).ToList();

        Assert.Equal(2 * 4 * 3, grid.Count);
        Assert.Equal(grid.Count, names.Distinct().Count());
        Assert.Equal("lr=0.1_wd=0_momentum=0", names[0]);
        Assert.Equal("lr=0.1_wd=0_momentum=0.9", names[1]);
        // index = 3·(wd index) + (momentum index) within the first lr: wd=1e-4 is index 1, momentum=0.99 index 2.
        Assert.Equal("lr=0.1_wd=0.0001_momentum=0.99", names[5]);
        Assert.Equal("lr=0.01_wd=0_momentum=0", names[12]);
        Assert.Equal("lr=0.01_wd=0.001_momentum=0.99", names[23]);
    }

    [Fact]
    public void ValuesAreNamedByTheShortestTextThatParsesBack()
    {
        Assert.Equal("0.0001", SweepGrid.Format("wd", 1e-4));
        Assert.Equal("5e-05", SweepGrid.Format("wd", 5e-5));
        Assert.Equal("128", SweepGrid.Format("batch", 128));
        Assert.Equal("batch=64_seed=3_width=0.125", SweepGrid.Name(SweepGrid.Parse("batch=64 seed=3 width=0.125").Points()[0]));
    }

    [Fact]
    public void EachKeySetsItsTrainingOption()
    {
        var baseConfig = new RunSpec { Model = "vgg11", Optimizer = new SgdSettings(0.1), OutDir = "base" };
        var point = SweepGrid.Parse("lr=0.05 wd=1e-3 momentum=0.9 dampening=0.5 batch=32 seed=7 width=0.25").Points().Single();

        var c = SweepGrid.Apply(baseConfig, point, "out/p");

        Assert.Equal(new SgdSettings(0.05, 1e-3, 0.9, 0.5), c.Optimizer);
        Assert.Equal((32, 7L, 0.25, "out/p"), (c.BatchSize, c.Seed, c.ModelOptions.Width, c.OutDir));
        Assert.Equal(baseConfig with { Optimizer = c.Optimizer, BatchSize = 32, Seed = 7, ModelOptions = new ModelOptions(Width: 0.25), OutDir = "out/p" }, c);
    }

    [Theory]
    [InlineData("", "--grid: expected key=v1,v2,... with keys from lr, wd, momentum, dampening, batch, seed, width, warmup-steps, lr-drop-rate, beta1, beta2, found nothing")]
    [InlineData("lr=", "--grid: lr: expected at least one value after '=', found 'lr='")]
    [InlineData("lr", "--grid: expected key=v1,v2,... (e.g. lr=0.1,0.01), found 'lr'")]
    [InlineData("=0.1", "--grid: expected key=v1,v2,... (e.g. lr=0.1,0.01), found '=0.1'")]
    [InlineData("lr=abc", "--grid: lr: expected a finite number, found 'abc'")]
    [InlineData("lr=0.1,,0.2", "--grid: lr: expected a finite number, found ''")]
    [InlineData("lr=Infinity", "--grid: lr: expected a finite number, found 'Infinity'")]
    [InlineData("beta=0.9", "--grid: unknown key 'beta'; expected one of lr, wd, momentum, dampening, batch, seed, width, warmup-steps, lr-drop-rate, beta1, beta2")]
    [InlineData("warmup=10", "--grid: unknown key 'warmup'; the option is --warmup-steps: write warmup-steps=...")]
    [InlineData("drop-rate=0.5", "--grid: unknown key 'drop-rate'; the option is --lr-drop-rate: write lr-drop-rate=...")]
    [InlineData("betas=0.9", "--grid: unknown key 'betas'; --betas takes a pair: vary its values with beta1=... and beta2=...")]
    [InlineData("lr=0.1 lr=0.2", "--grid: key 'lr' given twice; give all its values in one key=v1,v2,...")]
    [InlineData("lr=0.1,1e-1", "--grid: lr: value 0.1 given twice")]
    [InlineData("batch=1.5", "--grid: batch: expected a whole number, found '1.5'")]
    [InlineData("batch=0", "--grid: batch: expected a whole number from 1 to 2147483647, found '0'")]
    [InlineData("seed=9007199254740993", "--grid: seed: expected a whole number of magnitude at most 2^53, found '9007199254740993'")]
    public void MalformedGridIsRejectedWithOneLineNamingTheProblem(string grid, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => SweepGrid.Parse(grid));
        Assert.Equal(message, e.Message);
    }
}
