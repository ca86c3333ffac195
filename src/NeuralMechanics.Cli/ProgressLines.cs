using System.Diagnostics;
using NeuralMechanics.Training;

namespace NeuralMechanics.Cli;

/// <summary>
/// Training progress for a log: a line at the first step, then one every <see cref="ConsoleOutput.ProgressSeconds"/>,
/// and one at the last step that says the final pass over the test split follows, e.g.
/// <c>mlp: step 300/1200  loss 0.4123  acc 85.9 %  41.2 steps/s  ETA 0.4 min</c>.
/// </summary>
internal sealed class ProgressLines(string title, TextWriter output, double seconds = ConsoleOutput.ProgressSeconds) : IProgress<TrainProgress>
{
    private readonly Stopwatch sinceLast = new();

    public void Report(TrainProgress p)
    {
        bool last = p.Step >= p.Steps;
        if (sinceLast.IsRunning && sinceLast.Elapsed.TotalSeconds < seconds && !last) return;
        sinceLast.Restart();
        output.WriteLine($"{title}: {Line(p)}");
        if (last) output.WriteLine($"{title}: all steps done; final observation and test accuracy (one pass over the test split)");
        output.Flush();
    }

    /// <summary>Step, loss, batch accuracy, speed and the time left.</summary>
    public static string Line(TrainProgress p)
    {
        double left = (p.Steps - p.Step) / p.StepsPerSecond;
        string eta = double.IsFinite(left) ? $"ETA {left / 60:F1} min" : "ETA —";
        return $"step {p.Step:N0}/{p.Steps:N0}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.StepsPerSecond:F1} steps/s  {eta}";
    }
}
