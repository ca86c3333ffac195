namespace NeuralMechanics.Bench;

/// <summary>Command line of the benchmark: <c>[--device cpu|cuda|auto] [--quick] [--out FILE.md] [--json FILE] [--python PATH | --no-pytorch] [--workloads KEY,...] [--paired]</c>.</summary>
/// <param name="Device">cpu, cuda or auto (resolved by <see cref="Runs.Devices.Resolve"/>).</param>
/// <param name="Quick">Fewer, shorter windows: a smoke run, its ratios noisier.</param>
/// <param name="Out">Where the Markdown report is written (besides standard output), or null.</param>
/// <param name="Json">Where the per-workload results are written as JSON, or null.</param>
/// <param name="Python">The python3 with torch that times plain PyTorch (null: python3 on the PATH, then /usr/bin/python3).</param>
/// <param name="PyTorch">Whether plain PyTorch is timed at all.</param>
/// <param name="Workloads">The workloads to time (<see cref="Workload.Key"/>s), or null for all.</param>
/// <param name="Paired">Only the imported networks against the zoo's, taking turns in one process (<see cref="ImportedPair"/>).</param>
public sealed record BenchOptions(string Device = "cpu", bool Quick = false, string? Out = null, string? Json = null, string? Python = null, bool PyTorch = true,
    IReadOnlyList<string>? Workloads = null, bool Paired = false)
{
    /// <summary>The usage line printed on a usage error.</summary>
    public const string Usage = "usage: dotnet run -c Release --project bench/NeuralMechanics.Bench -- [--device cpu|cuda|auto] [--quick] [--out FILE.md] [--json FILE] [--python PATH | --no-pytorch] [--workloads mlp,vgg11q,onnx,resnet18q,vit,vgg16,vgg16bn] [--paired]";

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
                "--workloads" => options with { Workloads = ParseWorkloads(Value()) },
                "--paired" => options with { Paired = true },
                _ => throw new InvalidInputException($"unknown argument '{args[i]}'; expected --device, --quick, --out, --json, --python, --no-pytorch, --workloads or --paired"),
            };
        }
        return options;
    }

    /// <summary>Every workload's key, in the order the bench times them.</summary>
    public static readonly IReadOnlyList<string> Keys = ["mlp", "vgg11q", "onnx", "resnet18q", "vit", "vgg16", "vgg16bn"];

    private static string[] ParseWorkloads(string value)
    {
        var keys = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = keys.Where(k => !Keys.Contains(k)).ToList();
        return keys.Length > 0 && unknown.Count == 0
            ? keys
            : throw new InvalidInputException($"--workloads: expected some of {string.Join(",", Keys)}, found '{value}'");
    }

    private static string ParseDevice(string value) => value.ToLowerInvariant() is "cpu" or "cuda" or "auto"
        ? value.ToLowerInvariant()
        : throw new InvalidInputException($"--device: expected cpu, cuda or auto, found '{value}'");
}
