using NeuralMechanics.Tests.Data;
using System.Diagnostics;

namespace NeuralMechanics.Tests.Native;

/// <summary>
/// Training survives a finalizer that runs all the time: every Scalar a step hands libtorch is held
/// through its call. Before TensorValues, the first of these aborted within a few hundred steps
/// (c10::Error in Scalar::toDouble, exit 134).
/// </summary>
public class NativeLifetimeStressTests
{
    [Theory]
    [InlineData("mlp", 400)]
    [InlineData("mlp-batchnorm", 400)]
    [InlineData("mlp-layernorm", 400)]
    [InlineData("vgg11-bn", 150)]
    public void TrainingStepsSurviveCollectionsForcedInALoopOnAnotherThread(string workload, int steps)
    {
        using var dir = new TempDirectory();
        var (exitCode, output) = RunChild(workload, steps, Path.Combine(dir.Path, "run"));
        Assert.True(exitCode == 0, $"exit {exitCode}:\n{output}");
        Assert.Matches($@"{workload}: {steps} steps, Finished, [1-9]\d* forced collections", output);
    }

    internal static (int ExitCode, string Output) RunChild(string workload, int steps, string dir)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(GcStress).Assembly.Location, GcStress.Command, workload, steps.ToString(), dir }) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result);
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
