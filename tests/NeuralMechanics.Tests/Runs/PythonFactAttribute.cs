using System.Diagnostics;

namespace NeuralMechanics.Tests.Runs;

/// <summary>A fact that runs only where <c>python3</c> can import pandas and pyarrow; skipped elsewhere (nothing is installed for it).</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() => Python.Run("import pandas, pyarrow").ExitCode == 0);

    public PythonFactAttribute()
    {
        if (!Available.Value) Skip = "python3 with pandas and pyarrow is not available";
    }
}

/// <summary>Runs a python3 snippet and captures its output.</summary>
internal static class Python
{
    public static (int ExitCode, string Output) Run(string code, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(code);
            foreach (var a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "python3 not found");
        }
    }
}
