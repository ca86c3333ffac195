using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Python;
using NeuralMechanics.Reporting;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Cli.Commands;

/// <summary><c>nmech symmetries</c>: find, count and (with --verify) check every symmetry group of a model.</summary>
internal static class SymmetriesCommand
{
    /// <summary>Exit code when an exact symmetry misses its tolerance.</summary>
    public const int VerificationFailed = 1;

    public static Command Create()
    {
        var o = new TrainOptions();
        var verify = new Option<bool>("--verify") { Description = "Check every group numerically on a real batch: invariance, gradient, Hessian (HVP), per-example noise" };
        var batch = new Option<int>("--batch") { Description = "Batch size for --verify", DefaultValueFactory = _ => 8 };
        var precision = new Option<string>("--precision")
        {
            Description = "float64 (checks to ~1e-9), float32 (tolerances 1e-4, Hessian 1e-3) or auto: float64 below 2M parameters, where it is cheap " +
                "and where float32 convolutions on narrow layers lose digits, float32 above, where float64 on a CPU is slow",
            DefaultValueFactory = _ => "auto",
        };
        var json = JsonOption.Create("the groups, their counts and the verification residuals");
        var groups = new Option<string?>("--groups")
        {
            Description = "Write every group to this JSON file for PyTorch: kind, set and the state_dict slices it acts on (docs/design.md, \"What is written for Python\")",
            HelpName = "FILE.json",
        };
        var at = new Option<string?>("--at")
        {
            Description = "A run folder (or its checkpoint.bin): the run's model, options, data and loss at its checkpoint; when `nmech laws --at RUN` was run, " +
                "its count of conservation laws is shown beside the groups",
            HelpName = "RUN",
        };
        var cmd = new Command("symmetries", "Find every translation, scale and rescale symmetry of a model at neuron level, count them, and verify them numerically");
        foreach (var opt in o.ModelAndData.Append(o.Device))
            cmd.Options.Add(opt);
        cmd.Options.Add(verify);
        cmd.Options.Add(batch);
        cmd.Options.Add(precision);
        cmd.Options.Add(json);
        cmd.Options.Add(groups);
        cmd.Options.Add(at);
        cmd.SetAction(r =>
        {
            ScalarType? requested = r.GetValue(precision) switch
            {
                "float64" => ScalarType.Float64,
                "float32" => ScalarType.Float32,
                "auto" => null,
                var p => throw new InvalidInputException($"--precision: expected auto, float64 or float32, found '{p}'"),
            };
            if (r.GetValue(batch) < 2) throw new InvalidInputException($"--batch: expected ≥ 2 (BatchNorm needs a batch), found {r.GetValue(batch)}");
            string? runFolder = null;
            ZooModel model;
            DataSplit split;
            long[] shape;
            ScalarType dtype;
            if (r.GetValue(at) is { } run)
            {
                // The run's own model at its checkpoint (on the CPU, where the checkpoint is read).
                (model, runFolder, _, var manifest) = LawsCommand.FromRun(run, ScalarType.Float32);
                dtype = requested ?? (model.Architecture.ParameterCount < 2_000_000 ? ScalarType.Float64 : ScalarType.Float32);
                if (r.GetValue(verify) && dtype != ScalarType.Float32) model = LawsCommand.FromRun(run, dtype).Model;
                split = DataSets.Load(manifest.Data, r.GetValue(o.DataDir), manifest.Seed);
                shape = manifest.InputShape.Select(d => (long)d).ToArray();
            }
            else
            {
                var options = o.BindModel(r);
                // Before any tensor operation (see NativeEnvironment.PrepareConvolutions).
                NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(r.GetValue(o.Model)!, options));
                var target = Devices.Resolve(r.GetValue(o.Device)!);
                torch.manual_seed(r.GetValue(o.Seed));
                split = DataSets.Load(r.GetValue(o.Data)!, r.GetValue(o.DataDir), r.GetValue(o.Seed));
                shape = [split.Train.Channels, split.Train.Height, split.Train.Width];
                var loss = LossKindNames.Parse(r.GetValue(o.Loss)!);
                model = ModelZoo.Create(r.GetValue(o.Model)!, shape, split.Train.Classes, options, loss, device: target);
                dtype = requested ?? (model.Architecture.ParameterCount < 2_000_000 ? ScalarType.Float64 : ScalarType.Float32);
                if (r.GetValue(verify) && dtype != ScalarType.Float32)
                {
                    torch.manual_seed(r.GetValue(o.Seed));
                    model = ModelZoo.Create(r.GetValue(o.Model)!, shape, split.Train.Classes, options, loss, dtype, target);
                }
            }
            var device = model.Network.parameters().First().device;
            var watch = Stopwatch.StartNew();
            var analysis = SymmetryDiscovery.Discover(model.Architecture);
            double discoverySeconds = watch.Elapsed.TotalSeconds;
            // Before --verify, whose group actions move the parameters (the slices do not depend on their values).
            if (r.GetValue(groups) is { } groupsPath) GroupsFile.Write(groupsPath, model.Name, model.Network, analysis);

            IReadOnlyList<VerificationResult>? results = null;
            double verifySeconds = 0;
            if (r.GetValue(verify))
            {
                var norm = Normalization.Compute(split.Train, 2000);
                using var loader = new BatchLoader(split.Train, r.GetValue(batch), norm, device, shuffle: true, seed: r.GetValue(o.Seed), prefetch: 0);
                var (x, y) = loader.Next();
                watch.Restart();
                var log = JsonOption.ToStandardOutput(r.GetValue(json)) ? Console.Error : Console.Out;
                results = ConsoleOutput.IsTerminal
                    ? AnsiConsole.Status().Start("verifying", ctx => SymmetryVerifier.Verify(model.Network, analysis, x.to(dtype), y,
                        progress: new SyncProgress<VerificationProgress>(p => ctx.Status(Markup.Escape($"verifying: {Describe(p)}")))))
                    : SymmetryVerifier.Verify(model.Network, analysis, x.to(dtype), y, progress: new VerificationLines(log));
                verifySeconds = watch.Elapsed.TotalSeconds;
            }
            var table5 = PaperCounts.ForModel(model.Name, shape, split.Train.Classes);
            // "conservation laws: N at θ, M explained …" when nmech laws --at RUN wrote RUN/laws.json.
            var laws = runFolder is null ? null : SymmetryCountSection.LawsLine(runFolder, Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar)));
            if (r.GetValue(json) is { } path)
            {
                var document = Json(model, analysis, results, table5, discoverySeconds, verifySeconds);
                if (laws is not null) document["conservation_laws"] = laws;
                JsonOption.Write(path, document);
            }
            if (!JsonOption.ToStandardOutput(r.GetValue(json)))
            {
                Print(model, analysis, results, table5, discoverySeconds, verifySeconds);
                if (laws is not null) AnsiConsole.MarkupLine(Markup.Escape(laws));
            }
            return results is not null && results.Any(v => !v.Passed) ? VerificationFailed : 0;
        });
        return cmd;
    }

    private static void Print(ZooModel model, SymmetryAnalysis analysis, IReadOnlyList<VerificationResult>? results,
        IReadOnlyList<PaperCounts.Row>? table5, double discoverySeconds, double verifySeconds)
    {
        var arch = model.Architecture;
        AnsiConsole.MarkupLine($"[bold]{model.Name}[/] on {string.Join("×", arch.InputShape)} → {arch.Outputs} classes, {arch.ParameterCount:N0} parameters, loss {arch.Loss.Name()}");
        var table = new Table().AddColumn("layer").AddColumn("kind").AddColumn(ConsoleOutput.Number("groups")).AddColumn("origin");
        if (results is not null)
            foreach (var c in new[] { "invariance", "gradient", "Hessian", "noise", "" }) table.AddColumn(ConsoleOutput.Number(c));
        for (int i = 0; i < analysis.Sets.Count; i++)
        {
            var s = analysis.Sets[i];
            var cells = new List<string> { Markup.Escape(s.Layer), s.Kind.Name(), s.Count.ToString("N0"), Markup.Escape(s.Origin) };
            if (results is not null)
            {
                var v = results[i];
                cells.AddRange([Numbers.Scientific(v.Invariance), Numbers.Scientific(v.Gradient), Numbers.Scientific(v.Hessian), Numbers.Scientific(v.Noise),
                    !v.Exact ? "[yellow]approx.[/]" : v.Passed ? "[green]ok[/]" : "[red]FAIL[/]"]);
            }
            table.AddRow(cells.ToArray());
        }
        ConsoleOutput.Write(table);
        var totals = new Table().Title("totals").AddColumn("kind").AddColumn(ConsoleOutput.Number("ours"));
        if (table5 is not null) totals.AddColumn(ConsoleOutput.Number("paper (Table 5)")).AddColumn("why they differ");
        foreach (var kind in Enum.GetValues<SymmetryKind>())
        {
            var row = new List<string> { kind.Name(), analysis.Count(kind).ToString("N0") };
            if (table5?.Single(t => t.Kind == kind) is { } paper) row.AddRange([paper.Paper.ToString("N0"), Markup.Escape(paper.Reason)]);
            totals.AddRow(row.ToArray());
        }
        ConsoleOutput.Write(totals);
        AnsiConsole.MarkupLine($"discovery: {discoverySeconds * 1000:F0} ms" + (results is null ? "" : $"; verification: {verifySeconds:F1} s in {(results[0].DoublePrecision ? "float64" : "float32")}"));
        if (results is not null)
        {
            var first = results[0];
            AnsiConsole.MarkupLine($"tolerances: invariance, gradient, noise ≤ {Numbers.Scientific(first.FirstOrderTolerance)}; Hessian ≤ {Numbers.Scientific(first.HessianTolerance)} (relative)");
            if (results.Any(v => !v.Exact))
                AnsiConsole.MarkupLine("[yellow]approx.[/]: scale symmetry under BatchNorm/LayerNorm holds only up to the ε added to the variance (x/√(σ²+ε) is not exactly scale-invariant); its residuals are shown, not judged.");
            int failed = results.Count(v => !v.Passed);
            AnsiConsole.MarkupLine(failed == 0 ? "[green]every exact symmetry holds within tolerance[/]" : $"[red]{failed} exact symmetry set(s) miss their tolerance[/]");
        }
        foreach (var note in model.Notes.Concat(analysis.Notes)) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
    }

    private static JsonObject Json(ZooModel model, SymmetryAnalysis analysis, IReadOnlyList<VerificationResult>? results,
        IReadOnlyList<PaperCounts.Row>? table5, double discoverySeconds, double verifySeconds)
    {
        var layers = new JsonArray();
        for (int i = 0; i < analysis.Sets.Count; i++)
        {
            var s = analysis.Sets[i];
            var entry = new JsonObject
            {
                ["layer"] = s.Layer, ["kind"] = s.Kind.Name(), ["groups"] = s.Count, ["exact"] = s.Exact, ["origin"] = s.Origin,
                ["parameters_a"] = new JsonArray(s.A.Select(a => (JsonNode)a.FullName).ToArray()),
                ["parameters_b"] = new JsonArray(s.B.Select(b => (JsonNode)b.FullName).ToArray()),
            };
            if (results is not null)
            {
                var v = results[i];
                entry["verification"] = new JsonObject
                {
                    ["invariance"] = v.Invariance, ["gradient"] = v.Gradient, ["hessian"] = v.Hessian, ["noise"] = v.Noise, ["passed"] = v.Passed,
                };
            }
            layers.Add(entry);
        }
        var json = new JsonObject
        {
            ["model"] = model.Name,
            ["input_shape"] = new JsonArray(model.Architecture.InputShape.Select(d => (JsonNode)d).ToArray()),
            ["classes"] = model.Architecture.Outputs,
            ["parameters"] = model.Architecture.ParameterCount,
            ["counts"] = new JsonObject(Enum.GetValues<SymmetryKind>().Select(k => KeyValuePair.Create(k.Name(), (JsonNode?)analysis.Count(k)))),
            ["layers"] = layers,
            ["notes"] = new JsonArray(model.Notes.Concat(analysis.Notes).Select(n => (JsonNode)n).ToArray()),
            ["discovery_seconds"] = discoverySeconds,
        };
        if (results is not null)
        {
            json["verification"] = new JsonObject
            {
                ["precision"] = results[0].DoublePrecision ? "float64" : "float32",
                ["first_order_tolerance"] = results[0].FirstOrderTolerance,
                ["hessian_tolerance"] = results[0].HessianTolerance,
                ["passed"] = results.All(v => v.Passed),
                ["seconds"] = verifySeconds,
            };
        }
        if (table5 is not null)
            json["paper_table5"] = new JsonObject(table5.Select(t => KeyValuePair.Create(t.Kind.Name(),
                (JsonNode?)new JsonObject { ["paper"] = t.Paper, ["ours"] = analysis.Count(t.Kind), ["reason"] = t.Reason })));
        return json;
    }

    private static string Describe(VerificationProgress p) =>
        p.Phase == "gradients" ? $"gradients and Hessian scale of the batch ({p.Total / 2} sets to check)" : $"check {p.Done + 1}/{p.Total}, {p.Phase} of {p.Set}";

    /// <summary>Verification progress for a log: the first check, then a line every <see cref="ConsoleOutput.ProgressSeconds"/>.</summary>
    private sealed class VerificationLines(TextWriter output) : IProgress<VerificationProgress>
    {
        private readonly Stopwatch watch = Stopwatch.StartNew();
        private double last = double.NegativeInfinity;

        public void Report(VerificationProgress p)
        {
            double now = watch.Elapsed.TotalSeconds;
            if (now - last < ConsoleOutput.ProgressSeconds && p.Phase != "gradients" && p.Done != p.Total / 2) return;
            last = now;
            output.WriteLine($"verifying ({now:F0} s): {Describe(p)}");
            output.Flush();
        }
    }
}
