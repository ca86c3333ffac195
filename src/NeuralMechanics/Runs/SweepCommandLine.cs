using System.Globalization;
using System.Text;
using NeuralMechanics.Models;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Runs;

/// <summary>
/// The <c>nmech</c> command lines of sweep points: what child processes and Slurm array tasks
/// run. Every option of the configuration is spelled out, so a point does not depend on the
/// defaults of the nmech that runs it.
/// </summary>
public static class SweepCommandLine
{
    /// <summary>
    /// <c>train --model ... --out DIR</c> for <paramref name="c"/>; <c>--out</c> and its folder
    /// are always the last two arguments.
    /// </summary>
    public static IReadOnlyList<string> Train(TrainConfig c)
    {
        var o = c.Optimizer;
        var m = c.ModelOptions;
        List<string> args =
        [
            "train", "--model", c.Model, "--data", c.Data,
            "--width", Number(m.Width), "--depth", Number(m.Depth), "--hidden", Number(m.Hidden),
            "--activation", m.Activation, "--norm", m.Norm, "--dropout", Number(m.Dropout), "--init", m.Init,
            "--patch", Number(m.Patch), "--dim", Number(m.Dim), "--heads", Number(m.Heads), "--mlp-ratio", Number(m.MlpRatio), "--loss", c.Loss.Name(),
            "--lr", Number(o.LearningRate), "--momentum", Number(o.Momentum), "--dampening", Number(o.Dampening), "--wd", Number(o.WeightDecay),
            "--batch", Number(c.BatchSize), "--seed", Number(c.Seed), "--log-every", Number(c.LogEvery),
            "--checkpoint-every", Number(c.CheckpointEvery), "--device", c.Device,
        ];
        if (c.DataDir is { } dataDir) args.AddRange(["--data-dir", dataDir]);
        if (c.TrainLimit is { } limit) args.AddRange(["--train-limit", Number(limit)]);
        if (o.Nesterov) args.Add("--nesterov");
        if (o.Kind != OptimizerKind.Sgd)
            args.AddRange(["--optimizer", o.Kind.Name(), "--betas", $"{Number(o.Beta1)},{Number(o.Beta2)}", "--eps", Number(o.Eps)]);
        if (o.NoDecay != DecayExclusion.None) args.AddRange(["--no-decay", DecayExclusions.Format(o.NoDecay)]);
        var s = o.Schedule;
        if (s.Kind != ScheduleKind.Constant) args.AddRange(["--schedule", LrSchedule.Name(s.Kind)]);
        if (s.Drops.Length > 0) args.AddRange(["--lr-drops", string.Join(",", s.Drops.Select(Number)), "--lr-drop-rate", Number(s.DropRate)]);
        if (s.WarmupSteps > 0) args.AddRange(["--warmup-steps", Number(s.WarmupSteps)]);
        if (!c.Track) args.Add("--no-track");
        args.AddRange(c.Steps is { } steps ? ["--steps", Number(steps)] : ["--epochs", Number(c.Epochs)]);
        args.AddRange(["--out", c.OutDir]);
        return args;
    }

    /// <summary><c>train --resume DIR --steps N</c>.</summary>
    public static IReadOnlyList<string> Resume(string runDir, long steps) => ["train", "--resume", runDir, "--steps", Number(steps)];

    /// <summary>The arguments as one POSIX shell line, each single-quoted where needed.</summary>
    public static string Shell(IEnumerable<string> args) => string.Join(" ", args.Select(Quote));

    /// <summary>One argument for a POSIX shell: as is when it holds only safe characters, else single-quoted.</summary>
    public static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(ch => char.IsAsciiLetterOrDigit(ch) || "-_./=:,+@%".Contains(ch))) return arg;
        return new StringBuilder("'").Append(arg.Replace("'", "'\\''")).Append('\'').ToString();
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Number(long v) => v.ToString(CultureInfo.InvariantCulture);
}
