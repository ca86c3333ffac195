using System.Diagnostics;
using System.Text;

namespace NeuralMechanics.Tests.Resume;

/// <summary>The built <c>nmech</c> CLI (nmech.dll, copied next to the test assembly) run as a child process.</summary>
internal sealed class NmechProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    /// <summary>Path of nmech.dll.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "nmech.dll");

    private NmechProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts <c>nmech args</c>.</summary>
    public static NmechProcess Start(params string[] args) => new(args);

    /// <summary>Runs <c>nmech args</c> to the end; returns its exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var p = Start(args);
        return p.WaitForExit();
    }

    /// <summary>True while the process runs.</summary>
    public bool Running => !process.HasExited;

    /// <summary>Waits (at most two minutes) for the process to end.</summary>
    public (int ExitCode, string Output) WaitForExit()
    {
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nmech did not finish within two minutes:\n{Output}");
        }
        process.WaitForExit();
        return (process.ExitCode, Output);
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed.</summary>
    public void Kill()
    {
        process.Kill();
        process.WaitForExit();
    }

    /// <summary>What the process printed so far.</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}
