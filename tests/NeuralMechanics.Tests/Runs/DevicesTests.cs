using NeuralMechanics.Cli;
using NeuralMechanics.Runs;
using TorchSharp;

namespace NeuralMechanics.Tests.Runs;

/// <summary>A fact about a machine without CUDA; skipped, saying so, where CUDA is available.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (Devices.CudaAvailable()) Skip = "CUDA is available here; the no-GPU error paths are not reachable";
    }
}

public class DevicesTests
{
    [NoCudaFact]
    public void AskingForCudaWithoutOneNamesTheOptionAndTheWayOut()
    {
        var e = Assert.Throws<InvalidInputException>(() => Devices.Resolve("cuda"));
        Assert.StartsWith("--device cuda:", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }

    [NoCudaFact]
    public void AutoFallsBackToTheCpu()
    {
        Assert.Equal(DeviceType.CPU, Devices.Resolve("auto").type);
    }

    [Fact]
    public void AnUnknownDeviceIsRefused()
    {
        var e = Assert.Throws<InvalidInputException>(() => Devices.Resolve("tpu"));
        Assert.Contains("expected cpu, cuda or auto", e.Message);
    }

    [NoCudaFact]
    public void EveryCommandWithADeviceOptionExitsWith2WhenCudaIsMissing()
    {
        using var dir = new Data.TempDirectory();
        Assert.Equal(2, NmechApp.Run(["train", "--model", "logistic", "--data", "synthetic", "--steps", "1", "--device", "cuda", "--out", Path.Combine(dir.Path, "t")]));
        Assert.Equal(2, NmechApp.Run(["symmetries", "--model", "logistic", "--device", "cuda"]));
        Assert.Equal(2, NmechApp.Run(["reproduce", "--quick", "--device", "cuda", "--out", Path.Combine(dir.Path, "r")]));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "t", "metrics")));
    }
}
