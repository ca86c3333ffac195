namespace NeuralMechanics.Tests.Native;

/// <summary>
/// The guard that keeps temporary Scalars out of the code: TorchSharp frees them from the
/// finalizer thread, possibly while libtorch still reads them (see <see cref="TensorValues"/>).
/// </summary>
public class NativeLifetimeGuardTests
{
    [Fact]
    public void NoProjectReadsATensorOrPassesANumberAsAScalarThatNothingHolds()
    {
        var findings = NativeLifetimeScan.ScanRepository(RepositoryRoot());
        Assert.True(findings.Count == 0, $"{findings.Count} temporary Scalars:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void TheScanFindsEveryKindOfTemporaryScalarAndAcceptsHeldOnes()
    {
        const string source = """
            using NeuralMechanics; using TorchSharp;
            using static TorchSharp.torch;
            namespace Sample;
            public static class Code
            {
                private static readonly Scalar Two = 2;
                public static double Hazards(Tensor x, Tensor y)
                {
                    double a = x.ToDouble();
                    long b = x.sum().ToInt64();
                    float c = x.item<float>();
                    double d = (double)x;
                    var e = x * 2.0;
                    var f = x.pow(3);
                    y.add_(x, alpha: 0.5);
                    Scalar g = 4.0;
                    var h = x.mul(1.5.ToScalar()) + x.sum(0) * 3.0;
                    return a + b + c + d + g.ToDouble();
                }
                public static double Safe(Tensor x, Tensor y)
                {
                    using Scalar half = 0.5;
                    using (Scalar three = 3) { x.pow(three); }
                    y.add_(x, alpha: half);
                    var e = x * Two;
                    var f = x * y;
                    return x.ReadDouble() + x.ReadInt64();
                }
            }
            """;
        var findings = NativeLifetimeScan.Scan("Sample", executable: false, [("Code.cs", source)]);
        Assert.All(findings, f => Assert.StartsWith("Code.cs:", f));
        var lines = findings.Select(f => int.Parse(f.Split(':')[1])).Order().ToArray();
        // One finding per hazard in Hazards (lines 9-17, two on 17); none from Safe.
        Assert.Equal([9, 10, 11, 12, 13, 14, 15, 16, 17, 17], lines);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralMechanics.sln"))) return dir.FullName;
        throw new InvalidOperationException("NeuralMechanics.sln not found above " + AppContext.BaseDirectory);
    }
}
