using System.Globalization;
using System.Text;

namespace NeuralMechanics.Runs;

/// <summary>
/// The <c>nmech</c> command lines of sweep points: what child processes and Slurm array tasks run.
/// </summary>
internal static class SweepCommandLine
{
    /// <summary>
    /// <c>train --spec SWEEP_DIR/specs/NAME.json --out DIR</c>: the point's specification travels as
    /// the file the sweep wrote, so a point does not depend on the defaults of the nmech that runs it.
    /// </summary>
    public static IReadOnlyList<string> Train(SweepPoint point) => ["train", "--spec", point.SpecPath, "--out", point.Dir];

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

    private static string Number(long v) => v.ToString(CultureInfo.InvariantCulture);
}
