using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>
/// A validated sweep: the grid, the base configuration and one point per grid combination,
/// each a run folder <c>SWEEP_DIR/&lt;point&gt;</c> (so <c>nmech report SWEEP_DIR</c> finds every
/// point's manifest.json one level down). Everything the sweep could reject is rejected by
/// <see cref="Create"/>, before any run starts.
/// </summary>
public sealed class SweepPlan
{
    /// <summary>The sweep manifest's file name.</summary>
    public const string ManifestFile = "sweep.json";

    /// <summary>Folder of the points' run specifications (<c>specs/NAME.json</c>, what <c>nmech train --spec</c> reads).</summary>
    public const string SpecsFolder = "specs";

    /// <summary>Folder of per-point logs (child processes, Slurm tasks); holds no manifest, so reports skip it.</summary>
    public const string LogsFolder = "logs";

    private SweepPlan(string root, SweepGrid grid, RunSpec baseConfig, IReadOnlyList<SweepPoint> points)
    {
        Root = root;
        Grid = grid;
        Base = baseConfig;
        Points = points;
    }

    /// <summary>The sweep folder (full path).</summary>
    public string Root { get; }
    /// <summary>The grid.</summary>
    public SweepGrid Grid { get; }
    /// <summary>The configuration every point starts from (its <see cref="RunSpec.OutDir"/> is <see cref="Root"/>).</summary>
    public RunSpec Base { get; }
    /// <summary>The points in grid order.</summary>
    public IReadOnlyList<SweepPoint> Points { get; }

    /// <summary><c>SWEEP_DIR/sweep.json</c>.</summary>
    public string ManifestPath => Path.Combine(Root, ManifestFile);
    /// <summary><c>SWEEP_DIR/logs</c>.</summary>
    public string LogsPath => Path.Combine(Root, LogsFolder);

    /// <summary>
    /// Builds and validates every point of <paramref name="grid"/> applied to <paramref name="baseConfig"/>
    /// under <paramref name="root"/>; writes nothing.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// An unknown model or dataset (or a dataset not found), a point whose configuration is out of
    /// range (lr ≤ 0, momentum outside [0, 1), negative weight decay, ...), or a point folder that
    /// holds something else than a run of the same configuration. The message names the point.
    /// </exception>
    public static SweepPlan Create(SweepGrid grid, RunSpec baseConfig, string root)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root))
            throw InvalidInputException.InFile(root, "--out", "expected a folder for the sweep, found a file");
        if (!ModelZoo.IsKnown(baseConfig.Model))
            throw new InvalidInputException($"--model: unknown model '{baseConfig.Model}'; expected one of {string.Join(", ", ModelZoo.Names)}");
        ValidateData(baseConfig.Data, baseConfig.DataDir);
        var points = new List<SweepPoint>();
        foreach (var values in grid.Points())
        {
            var name = SweepGrid.Name(values);
            var point = new SweepPoint(points.Count, name, values, SweepGrid.Apply(baseConfig, values, Path.Combine(root, name)),
                Path.Combine(root, SpecsFolder, name + ".json"));
            try
            {
                point.Config.Validate();
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"sweep point {name}: {e.Message}");
            }
            CheckExistingRun(point.Dir, point.Config, $"sweep point {point.Name}", "the sweep", "choose another --out or delete this folder");
            points.Add(point);
        }
        return new SweepPlan(root, grid, baseConfig with { OutDir = root }, points);
    }

    /// <summary>The sweep manifest with every point's current state.</summary>
    public SweepManifest Manifest() => new()
    {
        Grid = [.. Grid.Axes],
        Base = Base,
        Points = [.. Points.Select(p => new SweepManifestPoint
        {
            Name = p.Name,
            Dir = p.Name,
            Values = p.Values.ToDictionary(v => v.Key, v => v.Value),
            State = p.State(),
            Command = SweepCommandLine.Train(p),
        })],
    };

    /// <summary>Writes <c>sweep.json</c> (atomically) with the current states, and every point's specification (<c>specs/NAME.json</c>).</summary>
    public void WriteManifest()
    {
        Directory.CreateDirectory(Path.Combine(Root, SpecsFolder));
        foreach (var p in Points) p.Config.Write(p.SpecPath);
        Manifest().Write(ManifestPath);
    }

    private static void ValidateData(string data, string? dataDir)
    {
        if (data == "synthetic" || data.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            // Cheap: synthetic data stores only its class prototypes; this checks the CxHxW:K syntax.
            DataSets.Load(data);
            return;
        }
        var known = DataSets.Discover(dataDir).FirstOrDefault(d => d.Name == data);
        if (known.Name is null)
            throw new InvalidInputException($"--data: unknown dataset '{data}'; expected one of {string.Join(", ", DataSets.Names)} or synthetic:CxHxW:K");
        if (!known.Found)
            throw new InvalidInputException($"--data: dataset {data} not found in {known.Directory}; give its folder with --data-dir");
    }

    /// <summary>
    /// A point folder may be missing, empty, or hold a run of the same configuration (to skip,
    /// resume or restart); compared as <see cref="RunDirectory.Create"/> will, on the fields the
    /// command line chooses (the rest of a manifest is derived from them).
    /// </summary>
    /// <param name="dir">The run folder.</param>
    /// <param name="config">The run it should hold.</param>
    /// <param name="what">The run as messages name it ("sweep point lr=0.1").</param>
    /// <param name="asker">What asks for the run ("the sweep").</param>
    /// <param name="remedy">What the user can do about a different run.</param>
    internal static void CheckExistingRun(string dir, RunSpec config, string what, string asker, string remedy)
    {
        if (!Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any()) return;
        var path = Path.Combine(dir, TrajectorySchema.ManifestFile);
        if (!File.Exists(path))
            throw InvalidInputException.InFile(dir, TrajectorySchema.ManifestFile,
                $"{what}: expected an empty folder or one holding its run (manifest.json); move this folder or choose another --out");
        var existing = RunDirectory.ReadManifest(path);
        var resolved = config.ResolvedFor(existing.Steps);
        var requested = existing with { Spec = resolved with { LogEvery = config.LogEvery > 0 ? config.LogEvery : existing.LogEvery } };
        if (RunDirectory.FirstDifference(existing, requested) is { } d)
            throw InvalidInputException.InFile(path, d.Field,
                $"{what}: this folder holds a run with {d.Existing}, {asker} asks for {d.Requested}; {remedy}");
    }
}
