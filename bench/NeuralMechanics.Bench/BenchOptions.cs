namespace NeuralMechanics.Bench;

/// <summary>Command line of the benchmark: <c>[--device cpu|cuda|auto] [--quick] [--out FILE.md] [--json FILE] [--python PATH | --no-pytorch]</c>.</summary>
/// <param name="Device">cpu, cuda or auto (resolved by <see cref="Runs.Devices.Resolve"/>).</param>
/// <param name="Quick">Fewer, shorter windows: a smoke run, its ratios noisier.</param>
/// <param name="Out">Where the Markdown report is written (besides standard output), or null.</param>
/// <param name="Json">Where the per-workload results are written as JSON, or null.</param>
/// <param name="Python">The python3 with torch that times plain PyTorch (null: python3 on the PATH, then /usr/bin/python3).</param>
/// <param name="PyTorch">Whether plain PyTorch is timed at all.</param>
public sealed record BenchOptions(string Device = "cpu", bool Quick = false, string? Out = null, string? Json = null, string? Python = null, bool PyTorch = true)
{
    /// <summary>The usage line printed on a usage error.</summary>
    public const string Usage = "usage: dotnet run -c Release --project bench/NeuralMechanics.Bench -- [--device cpu|cuda|auto] [--quick] [--out FILE.md] [--json FILE] [--python PATH | --no-pytorch]";

    /// <summary>Timed windows per workload (each variant's median is taken over them).</summary>
    public int Windows => Quick ? 5 : 15;

    /// <summary>Parses the arguments; throws <see cref="InvalidInputException"/> naming the offending one.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new InvalidInputException($"{args[i]}: expected a value after it");
            options = args[i] switch
            {
                "--device" => options with { Device = ParseDevice(Value()) },
                "--quick" => options with { Quick = true },
                "--out" => options with { Out = Value() },
                "--json" => options with { Json = Value() },
                "--python" => options with { Python = Value() },
                "--no-pytorch" => options with { PyTorch = false },
                _ => throw new InvalidInputException($"unknown argument '{args[i]}'; expected --device, --quick, --out, --json, --python or --no-pytorch"),
            };
        }
        return options;
    }

    private static string ParseDevice(string value) => value.ToLowerInvariant() is "cpu" or "cuda" or "auto"
        ? value.ToLowerInvariant()
        : throw new InvalidInputException($"--device: expected cpu, cuda or auto, found '{value}'");
}
