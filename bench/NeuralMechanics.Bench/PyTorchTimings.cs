using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NeuralMechanics.Bench;

/// <summary>
/// Plain PyTorch timing the same workloads in a child process (<c>bench/pytorch_step.py --serve</c>,
/// copied next to the benchmark, in a <c>python3</c> that has <c>torch</c>), one window at a time on
/// request, so that its windows interleave with nmech's and each ratio pairs windows run a moment
/// apart: on a shared machine whose speed drifts by tens of percent over minutes, timing one after
/// the other compares the drift.
/// </summary>
public sealed class PyTorchTimings : IDisposable
{
    /// <summary>The script's file name, next to the benchmark's assembly.</summary>
    public const string Script = "pytorch_step.py";

    private readonly Process process;
    private readonly string python;

    private PyTorchTimings(Process process, string python, string version, int threads, IReadOnlyList<string> blas)
    {
        this.process = process;
        this.python = python;
        Version = version;
        Threads = threads;
        Blas = blas;
    }

    /// <summary>PyTorch's version.</summary>
    public string Version { get; }

    /// <summary>Its CPU threads.</summary>
    public int Threads { get; }

    /// <summary>The BLAS and MKL libraries the PyTorch process loaded (file paths), empty when unknown.</summary>
    public IReadOnlyList<string> Blas { get; }

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
                using var probe = Process.Start(StartInfo(candidate, ["-c", "import torch"], input: false))!;
                if (probe.WaitForExit(TimeSpan.FromSeconds(60)) && probe.ExitCode == 0) return candidate;
                if (!probe.HasExited) probe.Kill(entireProcessTree: true);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name.
            }
        }
        return null;
    }

    /// <summary>Starts the script on <paramref name="device"/> with <paramref name="threads"/> CPU threads; throws <see cref="InvalidInputException"/> when it fails.</summary>
    public static PyTorchTimings Start(string python, string device, int threads)
    {
        string script = Path.Combine(AppContext.BaseDirectory, Script);
        if (!File.Exists(script)) throw new InvalidInputException($"{script}: the PyTorch script is missing from the benchmark's folder");
        var process = Process.Start(StartInfo(python, [script, "--device", device, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--serve"], input: true))!;
        string? header = process.StandardOutput.ReadLine();
        if (header is null)
        {
            process.WaitForExit();
            throw new InvalidInputException($"{python} {Script}: exit code {process.ExitCode}: {process.StandardError.ReadToEnd().Trim()}");
        }
        using var doc = JsonDocument.Parse(header);
        var root = doc.RootElement;
        var blas = root.TryGetProperty("blas", out var b) ? b.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        return new PyTorchTimings(process, python, root.GetProperty("torch").GetString()!, root.GetProperty("threads").GetInt32(), blas);
    }

    /// <summary>Runs <paramref name="steps"/> steps of workload <paramref name="key"/> (its name in the script) and returns the mean step time in ms.</summary>
    public double Window(string key, int steps)
    {
        process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key} {steps}"));
        process.StandardInput.Flush();
        string? reply = process.StandardOutput.ReadLine();
        if (reply is null)
        {
            process.WaitForExit(TimeSpan.FromSeconds(10));
            throw new InvalidInputException($"{python} {Script}: stopped while timing {key}: {process.StandardError.ReadToEnd().Trim()}");
        }
        using var doc = JsonDocument.Parse(reply);
        if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidInputException($"{python} {Script}: {error.GetString()}");
        return doc.RootElement.GetProperty("ms").GetDouble();
    }

    /// <summary>The trainable parameter count of workload <paramref name="key"/>'s PyTorch model.</summary>
    public long Parameters(string key)
    {
        process.StandardInput.WriteLine($"params {key}");
        process.StandardInput.Flush();
        string reply = process.StandardOutput.ReadLine() ?? throw new InvalidInputException($"{python} {Script}: stopped while counting {key}'s parameters");
        using var doc = JsonDocument.Parse(reply);
        return doc.RootElement.GetProperty("params").GetInt64();
    }

    /// <summary>
    /// Has <paramref name="python"/> write workload <paramref name="key"/>'s PyTorch model as ONNX (training mode)
    /// to <paramref name="path"/>; throws <see cref="InvalidInputException"/> when the export fails.
    /// </summary>
    public static void ExportOnnx(string python, string key, string path)
    {
        string script = Path.Combine(AppContext.BaseDirectory, Script);
        using var process = Process.Start(StartInfo(python, [script, "--export-onnx", key, path], input: true))!;
        process.StandardInput.Close();
        // Read both streams before waiting: the exporter's warnings alone can fill a pipe.
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(path))
            throw new InvalidInputException($"{python} {Script} --export-onnx {key} {path}: exit code {process.ExitCode}: {error.Result.Trim()}");
    }

    /// <summary>Ends the child process (its stdin closed; killed if it does not exit).</summary>
    public void Dispose()
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        finally
        {
            process.Dispose();
        }
    }

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, bool input)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = input, RedirectStandardError = input, RedirectStandardInput = input, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The child finds its own libraries: nmech's MKL and oneDNN settings are not PyTorch's defaults.
        start.Environment.Remove(NativeEnvironment.MklReproducibility);
        start.Environment.Remove(NativeEnvironment.OneDnnIsa);
        // Debian's PyTorch calls the system BLAS; with OpenBLAS's own threads inside PyTorch's OpenMP
        // threads, 2 cores run 4 busy threads (measured: mlp 2×256 8.4 ms a step, 3.1 ms with one).
        start.Environment.TryAdd("OPENBLAS_NUM_THREADS", "1");
        return start;
    }
}
