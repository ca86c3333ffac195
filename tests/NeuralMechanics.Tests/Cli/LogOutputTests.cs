using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NeuralMechanics.Tests.Data;

namespace NeuralMechanics.Tests.Cli;

/// <summary>nmech with its standard output redirected, as under Slurm, CI or <c>| tee</c>: tables that a log can hold, progress lines, JSON.</summary>
public sealed class LogOutputTests
{
    private static (int ExitCode, string Stdout) Nmech(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nmech.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("COLUMNS");
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "nmech did not finish within two minutes");
        Assert.True(p.ExitCode == 0, stdout + stderr.Result);
        return (p.ExitCode, stdout);
    }

    private static readonly string[] TinyRun = ["train", "--model", "mlp", "--depth", "1", "--hidden", "8", "--data", "synthetic:1x8x8:4",
        "--train-limit", "64", "--batch", "16", "--steps", "30", "--momentum", "0.9", "--wd", "1e-3"];

    [Fact]
    public void RedirectedTrainPrintsProgressAndItsErrorTableOneRowPerLineWithWholeNumbers()
    {
        using var dir = new TempDirectory();
        var (_, output) = Nmech(new Dictionary<string, string?>(), [.. TinyRun, "--out", dir.File("run")]);
        var lines = output.Split('\n');

        Assert.Contains(lines, l => l.StartsWith("mlp: step 1/30  loss ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mlp: step 30/30  loss ", StringComparison.Ordinal) && l.Contains("steps/s  ETA"));
        // Each (kind, predictor) row on one line with its median and max whole, in the one format (3 significant digits).
        foreach (var predictor in new[] { "gradient_flow", "continuous", "discrete" })
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^rescale\s+{predictor}\s+\d\.\d\de[-+]\d+\s+\d\.\d\de[-+]\d+\s*$"));
        Assert.DoesNotContain(lines, l => l.Contains('│') || l.Contains('─'));
    }

    [Fact]
    public void StatusHonoursColumnsAndItsJsonHoldsTheDocumentedFields()
    {
        using var dir = new TempDirectory();
        var run = dir.File("a-run-with-a-rather-long-name");
        Nmech(new Dictionary<string, string?>(), [.. TinyRun, "--out", run]);

        var wide = Nmech(new Dictionary<string, string?>(), "status", run).Stdout.Split('\n');
        var narrow = Nmech(new Dictionary<string, string?> { ["COLUMNS"] = "60" }, "status", run).Stdout.Split('\n');
        var json = JsonNode.Parse(Nmech(new Dictionary<string, string?>(), "status", run, "--json", "-").Stdout)!["runs"]!.AsArray().Single()!;

        // Without COLUMNS: header and row, aligned, unwrapped; with COLUMNS=60 the table is wider: one record per line.
        Assert.Matches(@"^a-run-with-a-rather-long-name\s+finished\s+30 / 30\s+\d\.\d{3}\s+\d+\.\d %\s+\d+\.\d %$", wide[1]);
        Assert.True(wide[1].Length > 60);
        Assert.StartsWith("run: a-run-with-a-rather-long-name  state: finished  steps: 30 / 30  final loss: ", narrow[0]);
        foreach (var field in new[] { "name", "dir", "state", "reason", "steps", "planned_steps", "final_loss", "train_accuracy", "test_accuracy", "steps_per_second", "seconds", "did_not_learn" })
            Assert.True(json.AsObject().ContainsKey(field), field);
        Assert.Equal(("finished", 30L, 30L), ((string)json["state"]!, (long)json["steps"]!, (long)json["planned_steps"]!));
        Assert.InRange((double)json["test_accuracy"]!, 0, 1);
    }

    [Fact]
    public void TrainJsonOnStandardOutputIsTheSummaryAlone()
    {
        using var dir = new TempDirectory();
        var (_, output) = Nmech(new Dictionary<string, string?>(), [.. TinyRun, "--out", dir.File("run"), "--json", "-"]);

        var json = JsonNode.Parse(output)!;
        Assert.Equal(("finished", 30L), ((string)json["status"]!, (long)json["steps"]!));
        Assert.Equal(8L, (long)json["symmetry_counts"]!["rescale"]!);
        var errors = json["prediction_errors"]!.AsArray();
        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.InRange((double)e!["median"]!, 0, (double)e["max"]!));
        Assert.InRange((double)json["test_accuracy"]!, 0, 1);
    }
}
