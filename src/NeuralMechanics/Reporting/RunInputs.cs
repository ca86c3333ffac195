using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Turns the folders given on the command line into run folders: a folder with
/// <c>manifest.json</c> is a run; a folder without one whose subfolders hold runs is a sweep,
/// and each such subfolder is a run (in name order).
/// </summary>
internal static class RunInputs
{
    /// <summary>The run folders with a display name each (folder name; "sweep/run" inside a sweep).</summary>
    /// <exception cref="InvalidInputException">No folder given, a folder missing, or one that is neither a run nor a sweep.</exception>
    public static IReadOnlyList<(string Name, string Root)> Resolve(IReadOnlyList<string> folders)
    {
        if (folders.Count == 0)
            throw new InvalidInputException("RUN_DIR: expected at least one run or sweep folder");
        var runs = new List<(string Name, string Root)>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
                throw InvalidInputException.InFile(folder, "folder", "expected an existing run folder (with manifest.json) or a sweep folder of runs");
            var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
            if (File.Exists(Path.Combine(full, TrajectorySchema.ManifestFile)))
            {
                runs.Add((Path.GetFileName(full), full));
                continue;
            }
            var members = Directory.EnumerateDirectories(full)
                .Where(d => File.Exists(Path.Combine(d, TrajectorySchema.ManifestFile)))
                .Order(StringComparer.Ordinal).ToList();
            if (members.Count == 0)
                throw InvalidInputException.InFile(folder, TrajectorySchema.ManifestFile,
                    "expected a run folder (holding manifest.json) or a sweep folder whose subfolders hold runs; found neither");
            runs.AddRange(members.Select(m => ($"{Path.GetFileName(full)}/{Path.GetFileName(m)}", m)));
        }
        var distinct = runs.DistinctBy(r => r.Root).ToList();
        // Two runs named alike (same folder name under different parents) are told apart by their full path.
        return distinct.Select(r => distinct.Count(o => o.Name == r.Name) > 1 ? (r.Root, r.Root) : r).ToList();
    }
}
