using NeuralMechanics.Tests.Runs;
using System.Diagnostics;
using NeuralMechanics.Cli;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>
/// <c>nmech sweep --emit slurm</c> writes a job array with one task per point; each task starts,
/// resumes or skips its point as a local sweep would.
/// </summary>
public sealed class SlurmScriptTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-slurm-").FullName;
    private string SweepDir => Path.Combine(root, "sweep");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly string[] TrainOptions =
        ["--depth", "1", "--hidden", "8", "--data", "synthetic:1x8x8:4", "--train-limit", "64", "--batch", "16", "--steps", "4", "--checkpoint-every", "2"];

    private SweepPlan Emit(string grid)
    {
        Assert.Equal(0, NmechApp.Run(["sweep", "--grid", grid, .. TrainOptions, "--out", SweepDir, "--emit", "slurm"]));
        var config = new RunSpec
        {
            Model = "mlp", ModelOptions = new(Depth: 1, Hidden: 8), Data = "synthetic:1x8x8:4", TrainLimit = 64, Optimizer = new SgdSettings(0.1),
            BatchSize = 16, Steps = 4, CheckpointEvery = 2, OutDir = SweepDir,
        };
        return SweepPlan.Create(SweepGrid.Parse(grid), config, SweepDir);
    }

    private string Script => Path.Combine(SweepDir, SlurmScript.ScriptFile);

    [Fact]
    public void EmittedScriptHasOneArrayTaskPerPointReadingItsLineOfPointsTxtAndNothingRuns()
    {
        var plan = Emit("lr=0.1,0.05 momentum=0,0.9");

        var script = File.ReadAllText(Script);
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.Contains("\n#SBATCH --array=0-3\n", script);
        Assert.Contains($"\n#SBATCH --output={SweepDir}/logs/slurm-%A_%a.out\n", script);
        Assert.Contains($"nmech=({SweepCommandLine.Quote(Environment.ProcessPath!)} {SweepCommandLine.Quote(typeof(NmechApp).Assembly.Location)})", script);
        Assert.Contains("sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$sweep_dir/points.txt\"", script);
        Assert.Contains("args=(train --resume \"$run_dir\")", script);

        var lines = File.ReadAllLines(Path.Combine(SweepDir, SlurmScript.PointsFile));
        Assert.Equal(plan.Points.Select(p => SweepCommandLine.Shell(SweepCommandLine.Train(p))), lines);
        Assert.Equal($"train --spec {SweepDir}/specs/lr=0.05_momentum=0.9.json --out {SweepDir}/lr=0.05_momentum=0.9", lines[3]);
        var spec = RunSpec.Read(Path.Combine(SweepDir, SweepPlan.SpecsFolder, "lr=0.05_momentum=0.9.json"));
        Assert.Equal(plan.Points[3].Config with { OutDir = "" }, spec);
        Assert.Equal((0.05, 0.9), (spec.Optimizer.LearningRate, spec.Optimizer.Momentum));

        Assert.Equal([SlurmScript.PointsFile, SweepPlan.ManifestFile, SlurmScript.ScriptFile],
            Directory.GetFiles(SweepDir).Select(Path.GetFileName).Order());
        Assert.Equal([Path.Combine(SweepDir, SweepPlan.LogsFolder), Path.Combine(SweepDir, SweepPlan.SpecsFolder)], Directory.GetDirectories(SweepDir).Order());
        Assert.All(SweepManifest.Read(Path.Combine(SweepDir, SweepPlan.ManifestFile)).Points, p => Assert.Equal(SweepPointState.Pending, p.State));
    }

    [Fact]
    public void ArrayTaskStartsItsPointResumesItAfterAnInterruptionAndSkipsItWhenDone()
    {
        var plan = Emit("lr=0.1,0.05");
        var point = plan.Points[1];

        var (exitCode, output) = RunTask(1);
        Assert.True(exitCode == 0, output);
        Assert.Equal(SweepPointState.Finished, point.State());
        Assert.False(Directory.Exists(plan.Points[0].Dir));

        // Killed after its last checkpoint: status still "running".
        RunDirectory.Open(point.Dir).WriteStatus(KilledStatus.Running());
        (exitCode, output) = RunTask(1, trace: true);
        Assert.True(exitCode == 0, output);
        Assert.Matches($@"\+ \S*dotnet \S*nmech\.dll train --resume '?{System.Text.RegularExpressions.Regex.Escape(point.Dir)}'?\n", output);
        Assert.Equal(SweepPointState.Finished, point.State());

        (exitCode, output) = RunTask(1);
        Assert.Equal((0, $"{point.Dir}: done already\n"), (exitCode, output));
    }

    [SlurmFact]
    public void SlurmRunsTheArrayToTwoFinishedPoints()
    {
        var plan = Emit("lr=0.1,0.05");
        using var cluster = new SlurmCluster(Path.Combine(root, "cluster"));

        var (exitCode, job) = cluster.Run("sbatch", "--parsable", Script);
        Assert.True(exitCode == 0, job);
        // Polled rather than sbatch --wait, which sleeps up to 10 s between checks.
        var waited = Stopwatch.StartNew();
        while (cluster.Run("squeue", "-h", "-j", job.Trim()).Output.Trim().Length > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), $"the array did not finish within two minutes\n{cluster.Log()}");
            Thread.Sleep(200);
        }

        var logs = string.Join("\n", Directory.GetFiles(plan.LogsPath).Select(File.ReadAllText));
        Assert.All(plan.Points, p => Assert.True(p.State() == SweepPointState.Finished, $"{p.Name}: {p.State()}\n{logs}\n{cluster.Log()}"));
        Assert.Equal(2, Directory.GetFiles(plan.LogsPath, "slurm-*.out").Length);
    }

    /// <summary>Runs array task <paramref name="task"/> of the script with bash, as Slurm would (without Slurm); <paramref name="trace"/> echoes each command.</summary>
    private (int ExitCode, string Output) RunTask(int task, bool trace = false)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (trace) start.ArgumentList.Add("-x");
        start.ArgumentList.Add(Script);
        start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the array task did not finish within two minutes");
        return (process.ExitCode, output.Result + error);
    }
}
