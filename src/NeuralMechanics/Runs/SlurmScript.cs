using System.Text;

namespace NeuralMechanics.Runs;

/// <summary>
/// A sweep as a Slurm job array: <c>SWEEP_DIR/sweep.slurm</c> (one array task per point) and
/// <c>SWEEP_DIR/points.txt</c> (line i+1: the <c>nmech train ... --out DIR</c> arguments of point i,
/// shell-quoted, <c>--out DIR</c> last). A task skips a finished or diverged point, resumes one that
/// has a checkpoint, and starts the others, so resubmitting the script completes an interrupted sweep.
/// </summary>
internal static class SlurmScript
{
    /// <summary>The job script's file name.</summary>
    public const string ScriptFile = "sweep.slurm";

    /// <summary>The per-point command lines' file name.</summary>
    public const string PointsFile = "points.txt";

    /// <summary>
    /// Writes sweep.slurm, points.txt, the logs folder (Slurm does not create output folders) and
    /// sweep.json; runs nothing. <paramref name="nmech"/> is the command that starts nmech on the
    /// compute nodes (e.g. <c>dotnet /opt/nmech/nmech.dll</c>).
    /// </summary>
    public static void Write(SweepPlan plan, IReadOnlyList<string> nmech)
    {
        Directory.CreateDirectory(plan.LogsPath);
        AtomicFile.WriteAllText(Path.Combine(plan.Root, PointsFile), PointLines(plan));
        AtomicFile.WriteAllText(Path.Combine(plan.Root, ScriptFile), Render(plan, nmech));
        plan.WriteManifest();
    }

    /// <summary>The contents of points.txt: one line per point, in grid order.</summary>
    public static string PointLines(SweepPlan plan) =>
        string.Concat(plan.Points.Select(p => SweepCommandLine.Shell(SweepCommandLine.Train(p)) + "\n"));

    /// <summary>The contents of sweep.slurm.</summary>
    public static string Render(SweepPlan plan, IReadOnlyList<string> nmech)
    {
        var q = SweepCommandLine.Quote;
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append($"# nmech sweep: {plan.Points.Count} grid points ({string.Join(" ", plan.Grid.Axes.Select(a => $"{a.Key}={string.Join(",", a.Values.Select(v => SweepGrid.Format(a.Key, v)))}"))}).\n");
        s.Append("# Array task i runs the nmech train arguments on line i+1 of points.txt. Submit with: sbatch sweep.slurm\n");
        s.Append("#SBATCH --job-name=nmech-sweep\n");
        s.Append($"#SBATCH --array=0-{plan.Points.Count - 1}\n");
        s.Append($"#SBATCH --output={Path.Combine(plan.LogsPath, "slurm-%A_%a.out")}\n");
        s.Append("set -euo pipefail\n");
        s.Append($"sweep_dir={q(plan.Root)}\n");
        s.Append($"nmech=({string.Join(" ", nmech.Select(q))})\n");
        s.Append("# libtorch would otherwise start a thread per core of the node, not per CPU allocated.\n");
        s.Append("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        s.Append($"line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$sweep_dir/{PointsFile}\")\n");
        s.Append("if [[ -z \"$line\" ]]; then echo \"no point $SLURM_ARRAY_TASK_ID in $sweep_dir/points.txt\" >&2; exit 2; fi\n");
        s.Append("eval \"args=($line)\"\n");
        s.Append("run_dir=${args[-1]}\n");
        s.Append($"if grep -Eqs '\"state\": \"(finished|diverged)\"' \"$run_dir/{TrajectorySchema.StatusFile}\"; then\n");
        s.Append("  echo \"$run_dir: done already\"\n");
        s.Append("  exit 0\n");
        s.Append("fi\n");
        s.Append($"if [[ -f \"$run_dir/{TrajectorySchema.CheckpointFile}\" ]]; then args=(train --resume \"$run_dir\"); fi\n");
        s.Append("status=0\n");
        s.Append("\"${nmech[@]}\" \"${args[@]}\" || status=$?\n");
        s.Append("# 3: the loss diverged; that is a result of the sweep, not a failed task.\n");
        s.Append("if [[ $status -eq 3 ]]; then exit 0; fi\n");
        s.Append("exit $status\n");
        return s.ToString();
    }
}
