namespace NeuralMechanics.Runs;

/// <summary>Reads a trajectory table folder (all its complete parts, in order) into memory.</summary>
public static class TrajectoryReader
{
    /// <summary>
    /// The rows of every part in <paramref name="folder"/>, concatenated in part order. A missing
    /// folder or one without parts gives an empty table; temporary files of an interrupted write are ignored.
    /// </summary>
    /// <param name="folder">The table folder, e.g. <c>run/neurons</c>.</param>
    /// <param name="columns">Read only these columns (faster on large tables); null reads all.</param>
    /// <exception cref="InvalidInputException">A part is unreadable, lacks a requested column, or its columns differ from the first part's.</exception>
    public static TrajectoryTable Read(string folder, IReadOnlyCollection<string>? columns = null)
    {
        var parts = TrajectoryParts.List(folder).Select(p => (p.Path, Data: TrajectoryParts.Read(p.Path, columns))).ToList();
        if (parts.Count == 0) return new TrajectoryTable(folder, [], [], 0);
        var first = parts[0].Data.Columns;
        foreach (var (path, data) in parts)
            if (!data.Columns.SequenceEqual(first))
                throw InvalidInputException.InFile(path, "columns",
                    $"expected the columns of {Path.GetFileName(parts[0].Path)} ({string.Join(", ", first.Select(c => c.Name))}), found {string.Join(", ", data.Columns.Select(c => c.Name))}");
        var total = parts.Sum(p => p.Data.Count);
        var arrays = new Array[first.Length];
        for (var i = 0; i < first.Length; i++)
        {
            arrays[i] = TrajectoryParts.NewArray(first[i].Type, total);
            var offset = 0;
            foreach (var (_, data) in parts)
            {
                Array.Copy(data.Arrays[i], 0, arrays[i], offset, data.Count);
                offset += data.Count;
            }
        }
        return new TrajectoryTable(folder, first, arrays, total);
    }
}

/// <summary>A trajectory table in memory: one array per column, all <see cref="RowCount"/> long.</summary>
public sealed class TrajectoryTable
{
    private readonly string folder;
    private readonly TrajectoryColumn[] columns;
    private readonly Array[] arrays;

    internal TrajectoryTable(string folder, TrajectoryColumn[] columns, Array[] arrays, int rowCount)
    {
        this.folder = folder;
        this.columns = columns;
        this.arrays = arrays;
        RowCount = rowCount;
    }

    /// <summary>The columns, in file order (none for an empty table).</summary>
    public IReadOnlyList<TrajectoryColumn> Columns => columns;

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>True when the table has a column of this name.</summary>
    public bool Has(string name) => Array.Exists(columns, c => c.Name == name);

    /// <summary>The values of a long column.</summary>
    public long[] Longs(string name) => Get<long>(name);
    /// <summary>The values of an int column.</summary>
    public int[] Ints(string name) => Get<int>(name);
    /// <summary>The values of a double column.</summary>
    public double[] Doubles(string name) => Get<double>(name);
    /// <summary>The values of a string column.</summary>
    public string[] Strings(string name) => Get<string>(name);

    /// <remarks>An empty table answers every column with an empty array, so a report over a run that logged nothing needs no special case.</remarks>
    private T[] Get<T>(string name)
    {
        if (RowCount == 0 && columns.Length == 0) return [];
        var i = Array.FindIndex(columns, c => c.Name == name);
        if (i < 0)
            throw InvalidInputException.InFile(folder, name, $"expected this column; the table has {string.Join(", ", columns.Select(c => c.Name))}");
        return arrays[i] as T[]
            ?? throw InvalidInputException.InFile(folder, name, $"expected a {typeof(T).Name} column, found {columns[i].Type.ToString().ToLowerInvariant()}");
    }
}
