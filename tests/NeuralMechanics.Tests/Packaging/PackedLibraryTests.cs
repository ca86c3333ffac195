using System.Text.RegularExpressions;

namespace NeuralMechanics.Tests.Packaging;

/// <summary>
/// README.md's library snippet, compiled against the packed NeuralMechanics package in a project
/// outside this repository and run (<see cref="PackedLibrary"/>: about a minute, paid once for the class).
/// </summary>
public sealed class PackedLibraryTests(PackedLibrary package) : IClassFixture<PackedLibrary>
{
    private string Printed => string.Join('\n', package.Output);

    [Fact]
    public void TheSnippetRunsToTheEndOnThisMachinesLibstdcxx()
    {
        // The package's buildTransitive targets made TorchSharp's native library loadable in the
        // consumer's output (else the first manual_seed throws: GLIBCXX_3.4.32 not found).
        Assert.True(package.ExitCode == 0, $"exit code {package.ExitCode}:\n{Printed}");
        Assert.DoesNotContain("GLIBCXX", Printed);
        Assert.Contains("Finished: test accuracy", Printed);
        Assert.True(File.Exists(Path.Combine(package.Consumer, "runs", "mine", "report", "report.html")), Printed);
    }

    [Fact]
    public void TheSnippetsNetworkHas393Translation16Scale8RescaleGroups()
    {
        // By hand (docs/design.md, "The rules"), 8 channels on 1×28×28: a scale group per channel of
        // each convolution read only by its BatchNorm (stem and block: 2 × 8); a rescale group per
        // channel of the residual stream, written by both BatchNorms and read by the block's
        // convolution and the head (8); translation: the head's 8·7·7 input columns and its bias.
        Assert.Contains($"{8 * 7 * 7 + 1} translation, {2 * 8} scale, 8 rescale groups", package.Output);
    }

    [Fact]
    public void TheSnippetVerifiesEverySetInFloat64()
    {
        var verified = package.Output.Select(l => Regex.Match(l, @"^verified: (\d+) of (\d+) sets pass$")).Single(m => m.Success);
        Assert.True(int.Parse(verified.Groups[2].Value) > 0, Printed);
        Assert.Equal(verified.Groups[2].Value, verified.Groups[1].Value);
    }

    [Fact]
    public void TheSnippetsProgressCallbackIsCalledInStepOrderOnTheTrainingThread()
    {
        // Printed every 50 of 200 steps from the callback: in order, and all before the result.
        var steps = package.Output.Select(l => Regex.Match(l, @"^step (\d+)/200: loss")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value));
        Assert.Equal([50, 100, 150, 200], steps);
        int last = package.Output.ToList().FindIndex(l => l.StartsWith("step 200/200", StringComparison.Ordinal));
        int result = package.Output.ToList().FindIndex(l => l.StartsWith("Finished:", StringComparison.Ordinal));
        Assert.True(last >= 0 && last < result, Printed);
    }

    [Fact]
    public void AModelOfYourOwnWithEightChannelConvolutionsGetsOneDnnCappedAtAvx2LikeAZooModel()
    {
        // Its channel counts are not multiples of 16 (NativeEnvironment.PrepareConvolutions): oneDNN
        // must have chosen AVX2 at its first convolution (Architecture.Describe's probe pass), in a
        // process that set nothing itself. On a CPU without AVX-512 it names AVX2 either way.
        Assert.NotNull(package.OneDnnIsa);
        Assert.Contains("isa:Intel AVX2", package.OneDnnIsa);
        Assert.DoesNotContain("AVX-512", package.OneDnnIsa);
    }
}
