using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NeuralMechanics.Bench;

/// <summary>
/// Plain PyTorch's step time on the same workloads, measured by <c>bench/pytorch_step.py</c>
/// (copied next to the benchmark) in a <c>python3</c> that has <c>torch</c>.
/// </summary>
/// <param name="Version">PyTorch's version.</param>
/// <param name="Threads">Its CPU threads.</param>
/// <param name="Milliseconds">Median step time per workload label.</param>
/// <param name="Blas">The BLAS and MKL libraries the PyTorch process had loaded (file paths), empty when unknown.</param>
public sealed record PyTorchTimings(string Version, int Threads, IReadOnlyDictionary<string, double> Milliseconds, IReadOnlyList<string> Blas)
{
    /// <summary>The script's file name, next to the benchmark's assembly.</summary>
    public const string Script = "pytorch_step.py";

    /// <summary>
    /// The first of <paramref name="python"/> (when given), <c>python3</c> on the PATH and
    /// <c>/usr/bin/python3</c> that imports torch, or null when none does.
    /// </summary>
    public static string? FindPython(string? python)
    {
        string[] candidates = python is not null ? [python] : ["python3", "/usr/bin/python3"];
        foreach (var candidate in candidates)
        {
            try
            {
                var (code, _, _) = Execute(candidate, ["-c", "import torch"], TimeSpan.FromSeconds(60));
                if (code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name.
            }
        }
        return null;
    }

    /// <summary>
    /// Runs the script for <paramref name="keys"/> (its workload names) on <paramref name="device"/>
    /// with <paramref name="threads"/> CPU threads; throws <see cref="InvalidInputException"/> with its error output when it fails.
    /// </summary>
    public static PyTorchTimings Measure(string python, IReadOnlyList<string> keys, string device, int threads, int windows, double windowSeconds)
    {
        string script = Path.Combine(AppContext.BaseDirectory, Script);
        if (!File.Exists(script)) throw new InvalidInputException($"{script}: the PyTorch script is missing from the benchmark's folder");
        var (code, stdout, stderr) = Execute(python, [script, "--device", device, "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--workloads", string.Join(",", keys), "--windows", windows.ToString(CultureInfo.InvariantCulture),
            "--window-seconds", windowSeconds.ToString("R", CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(30));
        if (code != 0) throw new InvalidInputException($"{python} {Script}: exit code {code}: {stderr.Trim()}");
        return Parse(stdout);
    }

    /// <summary>Reads the script's JSON line.</summary>
    public static PyTorchTimings Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var ms = root.GetProperty("workloads").EnumerateArray()
            .ToDictionary(w => w.GetProperty("label").GetString()!, w => w.GetProperty("ms").GetDouble());
        var blas = root.TryGetProperty("blas", out var b) ? b.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        return new PyTorchTimings(root.GetProperty("torch").GetString()!, root.GetProperty("threads").GetInt32(), ms, blas);
    }

    private static (int Code, string Stdout, string Stderr) Execute(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The child finds its own libraries: nmech's MKL and oneDNN settings are not PyTorch's defaults.
        start.Environment.Remove(NativeEnvironment.MklReproducibility);
        start.Environment.Remove(NativeEnvironment.OneDnnIsa);
        // Debian's PyTorch calls the system BLAS; with OpenBLAS's own threads inside PyTorch's OpenMP
        // threads, 2 cores run 4 busy threads (measured: mlp 2×256 8.4 ms a step, 3.1 ms with one).
        start.Environment.TryAdd("OPENBLAS_NUM_THREADS", "1");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidInputException($"{file}: did not finish within {timeout.TotalMinutes:0} minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
