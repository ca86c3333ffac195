using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralMechanics.Training;

namespace NeuralMechanics.Cli;

/// <summary>
/// Training progress as JSON lines, for a parent process that shows it (<c>nmech reproduce</c>
/// training runs in child processes): <c>{"progress": {"step", "steps", "loss", "accuracy",
/// "steps_per_second"}}</c>, one line at most every <see cref="Seconds"/>, and always the first and
/// the last step. <see cref="TryParse"/> reads such a line back; any other line is the child's log.
/// </summary>
internal sealed class JsonProgress(TextWriter output) : IProgress<TrainProgress>
{
    /// <summary>Least time between two lines: often enough for a progress bar, rare enough to cost nothing.</summary>
    public const double Seconds = 0.25;

    private readonly Stopwatch sinceLast = new();

    public void Report(TrainProgress p)
    {
        if (sinceLast.IsRunning && sinceLast.Elapsed.TotalSeconds < Seconds && p.Step < p.Steps) return;
        sinceLast.Restart();
        output.WriteLine(Line(p));
        output.Flush();
    }

    /// <summary>The line for <paramref name="p"/> (non-finite numbers as null).</summary>
    public static string Line(TrainProgress p)
    {
        static string Number(double x) => double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "null";
        return $"{{\"progress\": {{\"step\": {p.Step}, \"steps\": {p.Steps}, \"loss\": {Number(p.Loss)}, \"accuracy\": {Number(p.Accuracy)}, \"steps_per_second\": {Number(p.StepsPerSecond)}}}}}";
    }

    /// <summary>The progress a <see cref="Line"/> holds; false for any other line.</summary>
    public static bool TryParse(string line, out TrainProgress progress)
    {
        progress = null!;
        if (!line.StartsWith("{\"progress\"", StringComparison.Ordinal)) return false;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var p = doc.RootElement.GetProperty("progress");
            static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN;
            progress = new TrainProgress(p.GetProperty("step").GetInt64(), p.GetProperty("steps").GetInt64(),
                Number(p.GetProperty("loss")), Number(p.GetProperty("accuracy")), Number(p.GetProperty("steps_per_second")));
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
