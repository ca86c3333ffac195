using System.Diagnostics;

namespace NeuralMechanics.Tests.Packaging;

/// <summary>
/// The library as a user gets it: <c>dotnet pack</c> of src/NeuralMechanics (the build this test run
/// made) under a version of its own, then a console project in a temporary folder outside this
/// repository (so none of its Directory.Build files apply) that references the package through a
/// local source beside the usual ones, with README.md's library snippet as its Program.cs, built
/// and run once for all the tests of <see cref="PackedLibraryTests"/>. Dependencies come from the
/// NuGet cache restore already filled; the package's own copy in that cache is removed afterwards.
/// Takes about 45 s on a quiet 2-core machine (pack 4 s, restore and build 10–25 s, the snippet 28 s:
/// 200 steps and the report); several minutes when the machine is loaded.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    /// <summary>Where the snippet's data come from (the README's default, fashion-mnist, may not be installed).</summary>
    public const string Data = "synthetic:1x28x28:10";

    private readonly string root = Directory.CreateTempSubdirectory("nm-package-").FullName;
    private readonly string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    /// <summary>The consumer project's folder (the snippet's working directory).</summary>
    public string Consumer => Path.Combine(root, "consumer");

    /// <summary>The README snippet, as compiled.</summary>
    public string Snippet { get; }

    /// <summary>The snippet's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>What the snippet printed, oneDNN's creation log left out.</summary>
    public IReadOnlyList<string> Output { get; }

    /// <summary>oneDNN's line naming the instruction set it runs with (ONEDNN_VERBOSE), or null.</summary>
    public string? OneDnnIsa { get; }

    public PackedLibrary()
    {
        string repo = RepositoryRoot();
        Snippet = ReadmeSnippet(File.ReadAllText(Path.Combine(repo, "README.md")));
        // The configuration this test assembly was built in (…/bin/Release/net10.0/): the library's is the same.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        string feed = Path.Combine(root, "feed");
        Dotnet(repo, "pack", Path.Combine(repo, "src", "NeuralMechanics"), "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}",
            "--disable-build-servers");

        Directory.CreateDirectory(Consumer);
        // Nothing above the scratch folder is imported, as in a project of the user's own.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="neuralmechanics-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // What `dotnet new console` writes, and the package.
        File.WriteAllText(Path.Combine(Consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NeuralMechanics" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Consumer, "Program.cs"), Snippet);
        // No MSBuild node or compiler server is left running after the test.
        Dotnet(Consumer, "build", "-c", "Release", "--disable-build-servers");

        // A fresh process, with neither of the settings this test process made (NativeSetup); oneDNN
        // names the instruction set it chose when it first runs.
        var (exitCode, output) = Start(Consumer, "dotnet", [Path.Combine("bin", "Release", "net10.0", "Consumer.dll"), Data],
            env => env["ONEDNN_VERBOSE"] = "profile_create");
        ExitCode = exitCode;
        Output = [.. output.Where(l => !l.StartsWith("onednn_verbose", StringComparison.Ordinal))];
        OneDnnIsa = output.FirstOrDefault(l => l.StartsWith("onednn_verbose", StringComparison.Ordinal) && l.Contains(",isa:"));
    }

    /// <summary>The first C# block of README.md's "Use it on your own model" section.</summary>
    public static string ReadmeSnippet(string readme)
    {
        const string section = "## Use it on your own model", fence = "```csharp\n";
        int at = readme.IndexOf(section, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md: no section '{section}'");
        int start = readme.IndexOf(fence, at, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md: no ```csharp block in '{section}'");
        start += fence.Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(end >= 0, "README.md: the ```csharp block is not closed");
        return readme[start..end];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralMechanics.sln"))) return dir.FullName;
        throw new InvalidOperationException("NeuralMechanics.sln not found above " + AppContext.BaseDirectory);
    }

    private static void Dotnet(string workingDirectory, params string[] args)
    {
        var (exitCode, output) = Start(workingDirectory, "dotnet", args, _ => { });
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} exited with {exitCode}:\n{string.Join('\n', output)}");
    }

    private static (int ExitCode, IReadOnlyList<string> Output) Start(string workingDirectory, string file, IEnumerable<string> args,
        Action<IDictionary<string, string?>> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // A user's shell has neither this process's native settings nor the test host's MSBuild variables.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
            || k is NativeEnvironment.OneDnnIsa or NativeEnvironment.MklReproducibility).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        environment(start.Environment);
        var lines = new List<string>();
        using var process = new Process { StartInfo = start };
        void Add(object _, DataReceivedEventArgs e) { if (e.Data is not null) lock (lines) lines.Add(e.Data); }
        process.OutputDataReceived += Add;
        process.ErrorDataReceived += Add;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within five minutes:\n{string.Join('\n', lines)}");
        }
        process.WaitForExit();
        return (process.ExitCode, lines);
    }

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        // The package under test only: its copy in the NuGet cache (the dependencies stay for the next run).
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string copy = Path.Combine(cache, "neuralmechanics", version.ToLowerInvariant());
        if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        if (Directory.Exists(Path.GetDirectoryName(copy)) && !Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(copy)!).Any())
            Directory.Delete(Path.GetDirectoryName(copy)!);
    }
}
