using System.Runtime.InteropServices;

namespace NeuralMechanics.Tests;

public class NativeEnvironmentTests
{
    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    [Fact]
    public void TheCLibrarySeesTheVariablesAsDotNetDoes()
    {
        // What MKL and oneDNN read is the C library's environment, not .NET's copy.
        foreach (var name in new[] { NativeEnvironment.MklReproducibility, NativeEnvironment.OneDnnIsa })
        {
            string? seen = Marshal.PtrToStringAnsi(GetEnv(name));
            Assert.NotNull(seen);
            Assert.Equal(Environment.GetEnvironmentVariable(name), seen);
        }
    }

    [Fact]
    public void ChannelCountsThatFitTheBlocksOrNoConvolutionsNeedNoWarning()
    {
        Assert.Null(NativeEnvironment.PrepareConvolutions([]));
        Assert.Null(NativeEnvironment.PrepareConvolutions([16, 32, 64]));
    }

    [Fact]
    public void NarrowConvolutionsInAnUncappedProcessGetAWarningNamingTheFix()
    {
        // The test process capped oneDNN at AVX2 (NativeSetup) unless the user chose otherwise.
        string? warning = NativeEnvironment.PrepareConvolutions([8, 16]);
        if (string.Equals(Environment.GetEnvironmentVariable(NativeEnvironment.OneDnnIsa), "AVX2", StringComparison.OrdinalIgnoreCase))
            Assert.Null(warning);
        else
        {
            Assert.NotNull(warning);
            Assert.Contains("channels 8 ", warning);
            Assert.Contains("ONEDNN_MAX_CPU_ISA=AVX2", warning);
        }
    }

    [Fact]
    public void ConvolutionChannelsOfAModelOfYourOwnAreFoundHoweverDeeplyNested()
    {
        using var network = TorchSharp.torch.nn.Sequential(
            ("stem", TorchSharp.torch.nn.Sequential(("conv", TorchSharp.torch.nn.Conv2d(1, 8, 3)), ("relu", TorchSharp.torch.nn.ReLU()))),
            ("inner", TorchSharp.torch.nn.Conv2d(8, 24, 1)), ("flatten", TorchSharp.torch.nn.Flatten()), ("head", TorchSharp.torch.nn.Linear(24, 10)));
        Assert.Equal([8L, 24L], NativeEnvironment.ConvolutionChannels(network).Order());
    }
}
