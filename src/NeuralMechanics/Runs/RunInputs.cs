namespace NeuralMechanics.Runs;

/// <summary>
/// Turns the paths given on the command line into run folders: a folder with
/// <c>manifest.json</c> is a run; a folder without one whose subfolders hold runs is a sweep,
/// and each such subfolder is a run (in name order). Files and folders that are neither (a
/// sweep's own <c>sweep.json</c> or logs, as <c>nmech report sweep/*</c> passes them) are skipped
/// with a note, as long as some run is found.
/// </summary>
public static class RunInputs
{
    /// <summary>The run folders with a display name each (folder name; "sweep/run" inside a sweep), and a note per path skipped.</summary>
    /// <exception cref="InvalidInputException">No path given, a path missing, or no run found in any of them.</exception>
    public static (IReadOnlyList<(string Name, string Root)> Runs, IReadOnlyList<string> Skipped) Resolve(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
            throw new InvalidInputException("RUN_DIR: expected at least one run or sweep folder");
        var runs = new List<(string Name, string Root)>();
        var skipped = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                skipped.Add($"{path}: skipped, a file and not a run folder");
                continue;
            }
            if (!Directory.Exists(path))
                throw InvalidInputException.InFile(path, "folder", "expected an existing run folder (with manifest.json) or a sweep folder of runs");
            var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
            if (File.Exists(Path.Combine(full, TrajectorySchema.ManifestFile)))
            {
                runs.Add((Path.GetFileName(full), full));
                continue;
            }
            var members = Directory.EnumerateDirectories(full)
                .Where(d => File.Exists(Path.Combine(d, TrajectorySchema.ManifestFile)))
                .Order(StringComparer.Ordinal).ToList();
            if (members.Count == 0)
                skipped.Add($"{path}: skipped, neither a run folder (holding {TrajectorySchema.ManifestFile}) nor a sweep folder whose subfolders hold runs");
            runs.AddRange(members.Select(m => ($"{Path.GetFileName(full)}/{Path.GetFileName(m)}", m)));
        }
        if (runs.Count == 0)
            throw InvalidInputException.InFile(string.Join(", ", paths), TrajectorySchema.ManifestFile,
                "expected a run folder (holding manifest.json) or a sweep folder whose subfolders hold runs; found neither");
        var distinct = runs.DistinctBy(r => r.Root).ToList();
        // Two runs named alike (same folder name under different parents) are told apart by their full path.
        return (distinct.Select(r => distinct.Count(o => o.Name == r.Name) > 1 ? (r.Root, r.Root) : r).ToList(), skipped);
    }
}
