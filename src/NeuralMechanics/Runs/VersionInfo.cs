using System.Reflection;
using TorchSharp;

namespace NeuralMechanics.Runs;

/// <summary>Versions of the tool and its runtime, for <c>nmech info</c> and run manifests.</summary>
internal static class VersionInfo
{
    /// <summary>nmech, .NET, TorchSharp and libtorch versions.</summary>
    public static Dictionary<string, string> All() => new()
    {
        ["nmech"] = typeof(VersionInfo).Assembly.GetName().Version?.ToString(3) ?? "?",
        ["dotnet"] = Environment.Version.ToString(),
        ["torchsharp"] = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?",
        ["libtorch"] = torch.__version__,
    };
}
