using System.CommandLine;
using System.Text.Json.Nodes;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Data;
using NeuralMechanics.Laws;
using NeuralMechanics.Models;
using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech laws</c>: counts every conservation law of gradient flow near θ (Marcotte, Gribonval &amp;
/// Peyré 2023) and how many the discovered symmetry groups explain.
/// </summary>
internal static class LawsCommand
{
    /// <summary>Exit code when a singular-value gap is too small to decide the count, or the rank still grows at the deepest bracket.</summary>
    public const int Undecided = 1;

    public static Command Create()
    {
        var o = new TrainOptions();
        var at = new Option<string?>("--at")
        {
            Description = "A run folder (or its checkpoint.bin): count at its checkpoint, with its model and loss (the model options are the run's); the result is also written to RUN/laws.json",
            HelpName = "CHECKPOINT",
        };
        var samples = new Option<int?>("--samples") { Description = "Probe inputs (default 2·⌈D / labels⌉ + 8: twice what the gradient fields can need)" };
        var tolerance = new Option<double>("--tolerance") { Description = "Singular values of the unit-norm fields above this count toward the rank", DefaultValueFactory = _ => 1e-9 };
        var gap = new Option<double>("--min-gap") { Description = "Smallest singular-value gap (kept / dropped) at which a rank is called decided; below it the command exits 1", DefaultValueFactory = _ => 1e3 };
        var depth = new Option<int>("--max-depth") { Description = "Deepest Lie bracket tried", DefaultValueFactory = _ => 5 };
        var json = JsonOption.Create("D, the rank per depth, the laws, how many the symmetries explain, tolerance, gap, dead units and seconds");
        var cmd = new Command("laws", "Count every conservation law of gradient flow near θ (D − dim Lie(V), Marcotte et al. 2023) and how many the discovered symmetries explain");
        foreach (var opt in o.ModelAndData)
            cmd.Options.Add(opt);
        foreach (var opt in new Option[] { at, samples, tolerance, gap, depth, json }) cmd.Options.Add(opt);
        cmd.SetAction(r =>
        {
            if (r.GetValue(tolerance) is not (> 0 and < 1) and var t) throw new InvalidInputException($"--tolerance: expected a number in (0, 1), found {t}");
            if (r.GetValue(gap) < 1) throw new InvalidInputException($"--min-gap: expected ≥ 1, found {r.GetValue(gap)}");
            if (r.GetValue(depth) < 1) throw new InvalidInputException($"--max-depth: expected ≥ 1, found {r.GetValue(depth)}");
            if (r.GetValue(samples) is < 1 and var n) throw new InvalidInputException($"--samples: expected ≥ 1, found {n}");
            var (model, runFolder, step) = Build(r, o, r.GetValue(at));
            var analysis = SymmetryDiscovery.Discover(model.Architecture);
            var options = new LawOptions(r.GetValue(samples), r.GetValue(tolerance), r.GetValue(gap), r.GetValue(depth), r.GetValue(o.Seed));
            var log = JsonOption.ToStandardOutput(r.GetValue(json)) ? Console.Error : Console.Out;
            var count = ConservationLaws.Count(model.Network, model.Architecture, analysis, options,
                new SyncProgress<string>(p => { log.WriteLine($"laws: {p}"); log.Flush(); }));
            var result = Json(model, analysis, count, step, options);
            if (runFolder is not null) AtomicFile.WriteAllText(Path.Combine(runFolder, TrajectorySchema.LawsFile), result.ToJsonString(new() { WriteIndented = true }));
            if (r.GetValue(json) is { } path) JsonOption.Write(path, result);
            if (!JsonOption.ToStandardOutput(r.GetValue(json))) Print(model, analysis, count, step, options);
            return count.Decided ? 0 : Undecided;
        });
        return cmd;
    }

    /// <summary>The model in float64: the zoo's from the options, or a run's at its checkpoint.</summary>
    private static (ZooModel Model, string? RunFolder, long? Step) Build(ParseResult r, TrainOptions o, string? at)
    {
        if (at is null)
        {
            var options = o.BindModel(r);
            NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(r.GetValue(o.Model)!, options));
            torch.manual_seed(r.GetValue(o.Seed));
            var split = DataSets.Load(r.GetValue(o.Data)!, r.GetValue(o.DataDir), r.GetValue(o.Seed));
            long[] shape = [split.Train.Channels, split.Train.Height, split.Train.Width];
            var loss = LossKindNames.Parse(r.GetValue(o.Loss)!);
            return (ModelZoo.Create(r.GetValue(o.Model)!, shape, split.Train.Classes, options, loss, ScalarType.Float64), null, null);
        }
        var (model, folder, step, _) = FromRun(at, ScalarType.Float64);
        return (model, folder, step);
    }

    /// <summary>
    /// A run's model (from its manifest: model, options, input shape, classes, loss) in
    /// <paramref name="dtype"/> with its checkpoint's parameters; <paramref name="at"/> is the run
    /// folder or its checkpoint file. Also used by <c>nmech symmetries --at</c>.
    /// </summary>
    internal static (ZooModel Model, string Folder, long Step, RunManifest Manifest) FromRun(string at, ScalarType dtype)
    {
        string folder = Directory.Exists(at) ? at : Path.GetDirectoryName(Path.GetFullPath(at))!;
        string checkpoint = Directory.Exists(at) ? Path.Combine(at, TrajectorySchema.CheckpointFile) : at;
        var manifest = RunDirectory.ReadManifest(Path.Combine(folder, TrajectorySchema.ManifestFile));
        NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(manifest.Model, manifest.Spec.ModelOptions));
        var model = ModelZoo.Create(manifest.Model, manifest.InputShape.Select(d => (long)d).ToArray(), manifest.Classes,
            manifest.Spec.ModelOptions, manifest.Spec.Loss, dtype);
        long step = Checkpoint.LoadModel(checkpoint, model.Network);
        return (model, folder, step, manifest);
    }

    private static void Print(ZooModel model, SymmetryAnalysis analysis, LawCount c, long? step, LawOptions options)
    {
        var arch = model.Architecture;
        AnsiConsole.MarkupLine($"[bold]{model.Name}[/] on {string.Join("×", arch.InputShape)} → {arch.Outputs} classes, loss {arch.Loss.Name()}, " +
            (step is null ? "at initialisation" : $"at the checkpoint of step {step}"));
        var table = new Table().AddColumn("depth").AddColumn(ConsoleOutput.Number("dim Lie(V) so far")).AddColumn(ConsoleOutput.Number("laws left"));
        for (int i = 0; i < c.Ranks.Count; i++) table.AddRow($"{i + 1}", c.Ranks[i].ToString("N0"), (c.Parameters - c.Ranks[i]).ToString("N0"));
        ConsoleOutput.Write(table);
        AnsiConsole.MarkupLine($"parameters D = {c.Parameters:N0}; probes {c.Samples:N0}; tolerance {Numbers.Scientific(c.Tolerance)}; smallest singular-value gap {Numbers.Scientific(c.Gap)} (decided at ≥ {Numbers.Scientific(options.MinimumGap)}); {c.Seconds:F1} s");
        AnsiConsole.MarkupLine($"[bold]conservation laws: {c.Laws:N0} at θ, {c.Explained:N0} explained by the {analysis.Total:N0} symmetry groups found, {c.Unexplained:N0} unexplained[/]");
        if (c.NotConserved > 0)
            AnsiConsole.MarkupLine($"[yellow]{c.NotConserved:N0} group(s) are not conserved at θ[/] (their quantity's gradient has a part in Lie(V): an approximate symmetry, e.g. a norm's ε); not counted as explaining");
        foreach (var carrier in c.Carriers.Where(_ => c.Unexplained > 0))
            AnsiConsole.MarkupLine($"  unexplained on {Markup.Escape(carrier.Parameter)}: {carrier.Dimensions:F2} dimensions");
        if (c.DeadUnits.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]dead on every probe input[/] (each adds its own parameters as local laws): {Markup.Escape(string.Join(", ", c.DeadUnits))}");
        if (!c.Closed) AnsiConsole.MarkupLine($"[red]undecided[/]: the rank still grows at depth {c.Ranks.Count}; {c.Laws:N0} is an upper bound (raise --max-depth)");
        else if (!c.Decided) AnsiConsole.MarkupLine($"[red]undecided[/]: a singular-value gap of {Numbers.Scientific(c.Gap)} is below {Numbers.Scientific(options.MinimumGap)}; the rank cannot be told from rounding (try --tolerance, --samples, or another --seed)");
        AnsiConsole.MarkupLine("limit: a numeric rank at one θ counts the independent laws near θ (valid for every data set); it is not a formula for them, and the count may differ at other θ (dead units, special points).");
    }

    private static JsonObject Json(ZooModel model, SymmetryAnalysis analysis, LawCount c, long? step, LawOptions options) => new()
    {
        ["model"] = model.Name,
        ["step"] = step,
        ["parameters"] = c.Parameters,
        ["ranks"] = new JsonArray(c.Ranks.Select(x => (JsonNode)x).ToArray()),
        ["laws"] = c.Laws,
        ["explained"] = c.Explained,
        ["unexplained"] = c.Unexplained,
        ["symmetry_groups"] = analysis.Total,
        ["not_conserved_groups"] = c.NotConserved,
        ["tolerance"] = c.Tolerance,
        ["gap"] = double.IsFinite(c.Gap) ? c.Gap : null,
        ["min_gap"] = options.MinimumGap,
        ["decided"] = c.Decided,
        ["closed"] = c.Closed,
        ["dead_units"] = new JsonArray(c.DeadUnits.Select(x => (JsonNode)x).ToArray()),
        ["unexplained_on"] = new JsonObject(c.Carriers.Select(x => KeyValuePair.Create(x.Parameter, (JsonNode?)x.Dimensions))),
        ["samples"] = c.Samples,
        ["seconds"] = c.Seconds,
    };
}
