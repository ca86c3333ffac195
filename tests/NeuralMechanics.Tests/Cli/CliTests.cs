using NeuralMechanics.Cli;

namespace NeuralMechanics.Tests.Cli;

public class CliTests
{
    [Fact]
    public void UnknownCommandExitsWithCode2()
    {
        Assert.Equal(2, NmechApp.Run(["no-such-command"]));
    }

    [Fact]
    public void InfoRunsAndLoadsLibtorch()
    {
        Assert.Equal(0, NmechApp.Run(["info"]));
    }
}
