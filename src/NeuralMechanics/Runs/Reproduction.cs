using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>
/// The paper's Section 6 experiment sized for a 2-core CPU: VGG-16 with and without BatchNorm,
/// SGD (η = 0.1) at λ ∈ {0, 1e-4, 5e-4, 1e-3}, plus momentum β ∈ {0.9, 0.99} at λ = 5e-4 on the
/// BatchNorm model for the oscillator figure (β = 0 is the SGD run): Table 4's grid, with the
/// paper's Kaiming normal initialisation. The sizes are chosen so that every run learns within the
/// CPU budget (README, "What the main job shows"): width 1/4 (16 channels in the first block, so
/// oneDNN keeps its fast AVX-512 kernels), no classifier dropout (at width 1/4 the classifier has
/// 64 units, and dropout 0.5 there kept plain SGD on the initial plateau for the whole run;
/// dropout acts on no symmetry), batch 64 (twice the updates of Table 4's 128 for the same work:
/// plain VGG-16 needs about 300 updates to leave the initial plateau), and η = 0.01, Table 4's other
/// rate, for β = 0.99 (at η = 0.1 its effective step η/(1−β) = 10 threw the BatchNorm VGG back to
/// 34 % training accuracy after 500 steps; at 0.01 it is 1, that of β = 0.9 at η = 0.1).
/// Re-running it in the same folder loses no work (<see cref="Prepare"/>): finished runs are kept,
/// an interrupted one resumes from its checkpoint.
/// </summary>
internal static class Reproduction
{
    /// <summary>Weight decays of the SGD runs (Table 4).</summary>
    public static readonly double[] WeightDecays = [0, 1e-4, 5e-4, 1e-3];

    /// <summary>Momenta of the oscillator runs (Table 4), besides β = 0.</summary>
    public static readonly double[] Momenta = [0.9, 0.99];

    /// <summary>Learning rate of every run but β = 0.99 (Table 4).</summary>
    public const double LearningRate = 0.1;

    /// <summary>Learning rate of the β = 0.99 run (Table 4's other rate; see the class remarks).</summary>
    public const double HeavyMomentumLearningRate = 0.01;

    /// <summary>Examples per step.</summary>
    public const int BatchSize = 64;

    /// <summary>Width multiplier of the VGGs.</summary>
    public const double Width = 1.0 / 4;

    /// <summary>Updates per run: the full plan, and --quick.</summary>
    public const long Steps = 1200, QuickSteps = 600;

    /// <summary>The runs to make, the data they use, and a warning when it is not the real data set.</summary>
    /// <param name="quick">Three runs of the BatchNorm model (λ = 0 and 1e-3, and β = 0.9) instead of ten.</param>
    /// <param name="dataDir">Where to look for Fashion-MNIST (default: the Debian package's folder).</param>
    /// <param name="outDir">Parent folder of the run directories.</param>
    /// <param name="device">cpu, cuda or auto.</param>
    public static (IReadOnlyList<RunSpec> Runs, string Data, string? Warning) Plan(bool quick, string? dataDir, string outDir, string device)
    {
        bool real = DataSets.Discover(dataDir).Any(d => d.Name == "fashion-mnist" && d.Found);
        string data = real ? "fashion-mnist" : "synthetic:1x28x28:10";
        string? warning = real ? null
            : $"Fashion-MNIST was not found ({dataDir ?? DataSets.DefaultRoot + "/fashion-mnist"}): running on SYNTHETIC data instead. " +
              "Install the real data with: apt-get install dataset-fashion-mnist";
        var model = new ModelOptions(Width: Width, Dropout: 0, Init: Initialisation.Kaiming);
        long steps = quick ? QuickSteps : Steps;
        var runs = new List<RunSpec>();
        RunSpec Run(string name, double wd, double beta)
        {
            double lr = beta >= 0.99 ? HeavyMomentumLearningRate : LearningRate;
            return new()
            {
                Model = name, ModelOptions = model, Data = data, DataDir = dataDir,
                Optimizer = new SgdSettings(lr, wd, beta), BatchSize = BatchSize, Steps = steps, Seed = 0,
                // Four test passes of the 10,000 images a run, not twenty: each costs seconds on 2 cores.
                LogEvery = 10, CheckpointEvery = 0, Device = device, EvalEvery = (int)(steps / 4),
                OutDir = Path.Combine(outDir, $"{name}_lr={lr}_wd={wd:0.####}_momentum={beta}"),
            };
        }
        if (quick)
        {
            foreach (var wd in new[] { 0, 1e-3 }) runs.Add(Run("vgg16-bn", wd, 0));
            runs.Add(Run("vgg16-bn", 5e-4, Momenta[0]));
            return (runs, data, warning);
        }
        foreach (var name in new[] { "vgg16", "vgg16-bn" })
            foreach (var wd in WeightDecays) runs.Add(Run(name, wd, 0));
        foreach (var beta in Momenta) runs.Add(Run("vgg16-bn", 5e-4, beta));
        return (runs, data, warning);
    }

    /// <summary>The plan's file in the output folder: every run's name and specification, to recognise the plan when it is run again.</summary>
    public const string PlanFile = "plan.json";

    /// <summary>
    /// Specification fields (JSON names) that may differ between two runs of the same plan: where the
    /// data lies and which device trains, as <see cref="RunDirectory.NonConfigurationFields"/> allows for a run.
    /// </summary>
    private static readonly string[] Unplanned = ["device", "data_dir", "checkpoint_every"];

    /// <summary>
    /// Makes <paramref name="outDir"/> ready for <paramref name="runs"/> and says what to do with each:
    /// skip it (finished, or diverged: a result), resume it from its checkpoint (the path of
    /// <c>nmech train --resume</c>), or start it. By default a folder that holds this plan is continued;
    /// <paramref name="fresh"/> deletes the plan's run folders first; <paramref name="resume"/>
    /// insists that there is something to continue. Writes <see cref="PlanFile"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// The folder holds another plan (the message names <see cref="PlanFile"/> and the first difference),
    /// a run folder holds a run of another configuration, or <paramref name="resume"/> and nothing to resume.
    /// </exception>
    public static IReadOnlyList<(RunSpec Run, SweepAction Action)> Prepare(string outDir, IReadOnlyList<RunSpec> runs, bool fresh = false, bool resume = false)
    {
        if (fresh && resume) throw new InvalidInputException("--fresh, --resume: expected at most one of them (--fresh starts over, --resume continues)");
        var planPath = Path.Combine(outDir, PlanFile);
        var plan = PlanJson(runs);
        if (fresh)
        {
            foreach (var run in runs)
                if (Directory.Exists(run.OutDir)) Directory.Delete(run.OutDir, recursive: true);
            File.Delete(planPath);
        }
        else
        {
            if (File.Exists(planPath) && Difference(ReadPlan(planPath), plan) is { } d)
                throw InvalidInputException.InFile(Path.GetFullPath(planPath), d.Field,
                    $"this folder holds another reproduction, with {d.Existing}; this command asks for {d.Requested}; continue it with the options it was started with " +
                    "(--quick or not), start over with --fresh (deletes its runs) or choose another --out");
            if (resume && !File.Exists(planPath) && !runs.Any(r => File.Exists(Path.Combine(r.OutDir, TrajectorySchema.ManifestFile))))
                throw InvalidInputException.InFile(Path.GetFullPath(outDir), "--resume", $"expected a reproduction to continue ({PlanFile} or run folders), found none; run without --resume to start one");
            foreach (var run in runs)
                SweepPlan.CheckExistingRun(run.OutDir, run, $"reproduce run {Path.GetFileName(run.OutDir)}", "this command",
                    "start over with --fresh (deletes the plan's runs) or choose another --out");
        }
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(planPath, plan.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return runs.Select(r => (r, Point(r).NextAction())).ToList();
    }

    /// <summary>Steps to resume <paramref name="run"/> to: those planned, never fewer than it has.</summary>
    public static long ResumeSteps(RunSpec run) => Point(run).ResumeSteps();

    // A planned run is decided on as a sweep point is (skip, resume, start), without grid values.
    private static SweepPoint Point(RunSpec run) => new(0, Path.GetFileName(run.OutDir), [], run, Path.Combine(run.OutDir, PlanFile));

    private static JsonObject PlanJson(IReadOnlyList<RunSpec> runs) => new()
    {
        ["runs"] = new JsonObject(runs.Select(r =>
        {
            var spec = JsonSerializer.SerializeToNode(r, RunManifest.Json)!.AsObject();
            foreach (var field in Unplanned) spec.Remove(field);
            return KeyValuePair.Create(Path.GetFileName(r.OutDir), (JsonNode?)spec);
        })),
    };

    private static JsonObject ReadPlan(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw InvalidInputException.InFile(path, "$", "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw InvalidInputException.InFile(path, e.Path ?? "$", $"expected the plan of a reproduction: {e.Message}");
        }
    }

    /// <summary>The first difference between two plans: the runs they hold, then each run's specification.</summary>
    private static (string Field, string Existing, string Requested)? Difference(JsonObject existing, JsonObject requested)
    {
        var a = existing["runs"] as JsonObject ?? [];
        var b = (JsonObject)requested["runs"]!;
        var (namesA, namesB) = (a.Select(p => p.Key).ToList(), b.Select(p => p.Key).ToList());
        if (!namesA.SequenceEqual(namesB))
            return ("runs", $"{namesA.Count} runs ({string.Join(", ", namesA)})", $"{namesB.Count} runs ({string.Join(", ", namesB)})");
        foreach (var name in namesA)
            if (RunDirectory.Difference($"runs.{name}", a[name], b[name]) is { } d) return d;
        return null;
    }
}
