using NeuralMechanics.Runs;
using TorchSharp;

namespace NeuralMechanics.Bench;

/// <summary>The machine a report was measured on.</summary>
public static class Machine
{
    /// <summary>The CPU's model name from /proc/cpuinfo ("unknown CPU" elsewhere).</summary>
    public static string CpuModel()
    {
        const string file = "/proc/cpuinfo";
        if (!File.Exists(file)) return "unknown CPU";
        return File.ReadLines(file).Select(ModelName).FirstOrDefault(m => m is not null) ?? "unknown CPU";
    }

    /// <summary>The value of a "model name : …" line of /proc/cpuinfo, or null for other lines.</summary>
    public static string? ModelName(string line)
    {
        int colon = line.IndexOf(':');
        return colon > 0 && line[..colon].Trim() == "model name" ? line[(colon + 1)..].Trim() : null;
    }

    /// <summary>The 1-minute load average (other processes competing for the cores), or null where unknown.</summary>
    public static string? LoadAverage()
    {
        const string file = "/proc/loadavg";
        return File.Exists(file) ? File.ReadAllText(file).Split(' ')[0] : null;
    }

    /// <summary>Describes the device: "cpu (N torch threads)" or "cuda (GPU name)".</summary>
    public static string Describe(torch.Device device) => device.type == DeviceType.CUDA
        ? $"cuda ({torch.cuda.device_count()} device(s))"
        : $"cpu ({torch.get_num_threads()} torch threads)";

    /// <summary>Versions for the report header.</summary>
    public static string Versions() => string.Join(", ", VersionInfo.All().Select(kv => $"{kv.Key} {kv.Value}"));
}
