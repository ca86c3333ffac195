using System.Diagnostics;

namespace NeuralMechanics.Runs;

/// <summary>
/// Appends rows to one trajectory table (a folder of Parquet parts, see <see cref="TrajectorySchema"/>).
/// Rows go into columnar buffers (no allocation per row); when <c>rowsPerPart</c> rows are
/// buffered, or <c>flushInterval</c> has passed since the last part, the buffer is handed to a
/// background task that writes the next part atomically while the caller fills a second buffer.
/// The caller waits only when a part is due while the previous one is still being written, i.e.
/// when it produces rows faster than parts are written (a 65,536-row neurons part takes about
/// 20–50 ms; adding a row about 0.15 µs). A killed process loses at most the rows since the last part.
/// </summary>
/// <remarks>
/// One thread adds rows. Opening a folder that already has parts continues their numbering
/// (after checking their columns) and deletes temporary files left by a killed writer;
/// on resume call <see cref="DropRowsFromStep"/> so replayed steps are not stored twice.
/// <code>
/// using var metrics = new TrajectoryWriter(dir, TrajectorySchema.MetricsColumns);
/// metrics.AddRow().Long(step).Double(time).Double(loss).Double(accuracy).End();
/// </code>
/// </remarks>
internal sealed class TrajectoryWriter : IDisposable
{
    private readonly TrajectoryColumn[] columns;
    private readonly TrajectoryColumnType[] types;
    private readonly int rowsPerPart;
    private readonly long flushIntervalTicks;
    private Buffer active;
    private Buffer? spare;
    private Task? pending;
    private long lastPartTimestamp = Stopwatch.GetTimestamp();
    private int nextPart;
    private bool disposed;
    // Columns taken so far by the block of rows being added (AddRows), one bit each.
    private ulong blockColumns;

    /// <summary>
    /// Opens (creating it if needed) the table folder <paramref name="folder"/> with the given columns.
    /// </summary>
    /// <param name="folder">The table folder, e.g. <c>run/metrics</c>.</param>
    /// <param name="columns">Column names and types, in file order.</param>
    /// <param name="rowsPerPart">Buffered rows that trigger a part.</param>
    /// <param name="flushInterval">Time after which the next row triggers a part (default 30 s).</param>
    /// <exception cref="InvalidInputException">Existing parts have other columns.</exception>
    public TrajectoryWriter(string folder, IReadOnlyList<TrajectoryColumn> columns, int rowsPerPart = 65_536, TimeSpan? flushInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerPart, 1);
        if (columns.Count == 0 || columns.Count > 64 || columns.Select(c => c.Name).Distinct().Count() != columns.Count)
            throw new ArgumentException("expected 1 to 64 columns with unique names", nameof(columns));
        Folder = folder;
        this.columns = columns.ToArray();
        types = this.columns.Select(c => c.Type).ToArray();
        this.rowsPerPart = rowsPerPart;
        flushIntervalTicks = (long)((flushInterval ?? TimeSpan.FromSeconds(30)).TotalSeconds * Stopwatch.Frequency);
        active = new Buffer(types, Math.Min(rowsPerPart, 1024));

        Directory.CreateDirectory(folder);
        TrajectoryParts.RemoveTemporaryFiles(folder);
        var parts = TrajectoryParts.List(folder);
        foreach (var (_, path) in parts)
        {
            var found = TrajectoryParts.ReadColumns(path);
            if (!found.SequenceEqual(this.columns))
                throw InvalidInputException.InFile(path, "columns",
                    $"expected [{Describe(this.columns)}], found [{Describe(found)}]; this folder belongs to another table or version");
        }
        nextPart = parts.Count == 0 ? 0 : parts[^1].Number + 1;
    }

    /// <summary>The table folder.</summary>
    public string Folder { get; }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<TrajectoryColumn> Columns => columns;

    /// <summary>Starts a row: give one value per column, in column order, then call <see cref="TrajectoryRow.End"/>.</summary>
    public TrajectoryRow AddRow()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (active.Count == active.Capacity) active.Grow(Math.Min(rowsPerPart, active.Capacity * 2));
        return new TrajectoryRow(this, 0);
    }

    /// <summary>
    /// Appends <paramref name="count"/> rows at once, a column at a time: take each column's span
    /// from the block (every column, each once), fill it, then call <see cref="RowBlock.End"/>. For
    /// tables that get many rows per step (one per group), where a call per value would cost more than the values.
    /// </summary>
    public RowBlock AddRows(int count)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (active.Count > 0 && active.Count + count > rowsPerPart) StartPart();
        if (active.Count + count > active.Capacity) active.Grow(Math.Max(active.Count + count, Math.Min(rowsPerPart, active.Capacity * 2)));
        blockColumns = 0;
        return new RowBlock(this, active.Count, count);
    }

    internal Span<T> BlockColumn<T>(int column, int start, int count, TrajectoryColumnType type)
    {
        Check(column, type);
        if ((blockColumns & (1UL << column)) != 0) throw new InvalidOperationException($"{Folder}: column '{columns[column].Name}' taken twice in one block");
        blockColumns |= 1UL << column;
        return ((T[])active.Arrays[column]).AsSpan(start, count);
    }

    internal void EndBlock(int count)
    {
        ulong all = columns.Length == 64 ? ulong.MaxValue : (1UL << columns.Length) - 1;
        if (blockColumns != all)
            throw new InvalidOperationException($"{Folder}: a block of rows needs every column ({Describe(columns)}); " +
                $"missing {string.Join(", ", columns.Where((_, i) => (blockColumns & (1UL << i)) == 0).Select(c => c.Name))}");
        blockColumns = 0;
        Added(count);
    }

    internal void Set(int column, long value) { Check(column, TrajectoryColumnType.Long); active.Longs[column]![active.Count] = value; }
    internal void Set(int column, int value) { Check(column, TrajectoryColumnType.Int); active.Ints[column]![active.Count] = value; }
    internal void Set(int column, double value) { Check(column, TrajectoryColumnType.Double); active.Doubles[column]![active.Count] = value; }
    internal void Set(int column, string value)
    {
        Check(column, TrajectoryColumnType.String);
        active.Strings[column]![active.Count] = value ?? throw new ArgumentNullException(nameof(value), $"column '{columns[column].Name}' takes no null");
    }

    internal void EndRow(int values)
    {
        if (values != columns.Length)
            throw new InvalidOperationException($"{Folder}: a row needs {columns.Length} values ({Describe(columns)}), found {values}");
        Added(1);
    }

    // Counts rows just written and starts a part when the buffer is full or the interval has passed.
    private void Added(int rows)
    {
        active.Count += rows;
        if (active.Count >= rowsPerPart || Stopwatch.GetTimestamp() - lastPartTimestamp >= flushIntervalTicks)
            StartPart();
    }

    /// <summary>Writes every buffered row and waits until its part is on disk.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (active.Count > 0) StartPart();
        WaitForPart();
    }

    /// <summary>
    /// Removes every row whose <c>step</c> column is ≥ <paramref name="step"/>, buffered or on disk
    /// (parts rewritten atomically or deleted), so a run resumed at <paramref name="step"/> stores
    /// each step once. Relies on rows being in step order across parts: scans back from the last part.
    /// </summary>
    public void DropRowsFromStep(long step, string stepColumn = TrajectorySchema.Step)
    {
        var index = Array.FindIndex(columns, c => c.Name == stepColumn && c.Type == TrajectoryColumnType.Long);
        if (index < 0) throw new InvalidOperationException($"{Folder}: no long column named '{stepColumn}'");
        Flush();
        var parts = TrajectoryParts.List(Folder);
        for (var p = parts.Count - 1; p >= 0; p--)
        {
            var path = parts[p].Path;
            var steps = (long[])TrajectoryParts.ReadColumn(path, stepColumn);
            var keep = steps.Count(s => s < step);
            if (keep == steps.Length) break;
            if (keep == 0)
            {
                File.Delete(path);
                continue;
            }
            var (_, arrays, _) = TrajectoryParts.Read(path);
            var kept = arrays.Select(a => Filter(a, steps, step, keep)).ToArray();
            TrajectoryParts.Write(path, columns, kept, keep);
        }
        var remaining = TrajectoryParts.List(Folder);
        nextPart = remaining.Count == 0 ? 0 : remaining[^1].Number + 1;
    }

    /// <summary>Writes the buffered rows and waits for the background writer.</summary>
    public void Dispose()
    {
        if (disposed) return;
        try
        {
            Flush();
        }
        finally
        {
            disposed = true;
        }
    }

    private void Check(int column, TrajectoryColumnType type)
    {
        if (column >= types.Length)
            throw new InvalidOperationException($"{Folder}: a row needs {columns.Length} values ({Describe(columns)}), found more");
        if (types[column] != type)
            throw new InvalidOperationException($"{Folder}: column '{columns[column].Name}' is {types[column]}, given a {type}");
    }

    private void StartPart()
    {
        WaitForPart();
        var full = active;
        active = spare ?? new Buffer(types, Math.Min(rowsPerPart, Math.Max(full.Capacity, 1024)));
        spare = null;
        var path = TrajectoryParts.PartPath(Folder, nextPart++);
        lastPartTimestamp = Stopwatch.GetTimestamp();
        pending = Task.Run(() =>
        {
            TrajectoryParts.Write(path, columns, full.Arrays, full.Count);
            full.Count = 0;
            spare = full;
        });
    }

    private void WaitForPart()
    {
        if (pending is null) return;
        var task = pending;
        pending = null;
        // Rethrows the background write's exception (disk full, ...) to the caller.
        task.GetAwaiter().GetResult();
    }

    private static Array Filter(Array source, long[] steps, long step, int keep)
    {
        var kept = TrajectoryParts.NewArray(ColumnType(source), keep);
        var j = 0;
        for (var i = 0; i < steps.Length; i++)
            if (steps[i] < step) Array.Copy(source, i, kept, j++, 1);
        return kept;
    }

    private static TrajectoryColumnType ColumnType(Array array) => array switch
    {
        long[] => TrajectoryColumnType.Long,
        int[] => TrajectoryColumnType.Int,
        double[] => TrajectoryColumnType.Double,
        _ => TrajectoryColumnType.String,
    };

    private static string Describe(IEnumerable<TrajectoryColumn> columns) =>
        string.Join(", ", columns.Select(c => $"{c.Name}: {c.Type.ToString().ToLowerInvariant()}"));

    /// <summary>Growable columnar storage: one typed array per column, all of the same capacity.</summary>
    private sealed class Buffer
    {
        public readonly long[]?[] Longs;
        public readonly int[]?[] Ints;
        public readonly double[]?[] Doubles;
        public readonly string[]?[] Strings;
        public readonly Array[] Arrays;
        public int Count;

        public Buffer(TrajectoryColumnType[] types, int capacity)
        {
            Longs = new long[]?[types.Length];
            Ints = new int[]?[types.Length];
            Doubles = new double[]?[types.Length];
            Strings = new string[]?[types.Length];
            Arrays = new Array[types.Length];
            Capacity = capacity;
            for (var i = 0; i < types.Length; i++) Allocate(i, types[i], capacity);
        }

        public int Capacity { get; private set; }

        public void Grow(int capacity)
        {
            for (var i = 0; i < Arrays.Length; i++)
            {
                var old = Arrays[i];
                Allocate(i, ColumnType(old), capacity);
                Array.Copy(old, Arrays[i], Count);
            }
            Capacity = capacity;
        }

        private void Allocate(int i, TrajectoryColumnType type, int capacity)
        {
            Arrays[i] = TrajectoryParts.NewArray(type, capacity);
            Longs[i] = Arrays[i] as long[];
            Ints[i] = Arrays[i] as int[];
            Doubles[i] = Arrays[i] as double[];
            Strings[i] = Arrays[i] as string[];
        }
    }
}

/// <summary>
/// A row being added to a <see cref="TrajectoryWriter"/>: one call per column in column order
/// (its type must match), then <see cref="End"/>. A value type, so adding a row allocates nothing.
/// </summary>
internal readonly struct TrajectoryRow
{
    private readonly TrajectoryWriter writer;
    private readonly int column;

    internal TrajectoryRow(TrajectoryWriter writer, int column) => (this.writer, this.column) = (writer, column);

    /// <summary>The value of the next column, a long column.</summary>
    public TrajectoryRow Long(long value) { writer.Set(column, value); return new(writer, column + 1); }
    /// <summary>The value of the next column, an int column.</summary>
    public TrajectoryRow Int(int value) { writer.Set(column, value); return new(writer, column + 1); }
    /// <summary>The value of the next column, a double column.</summary>
    public TrajectoryRow Double(double value) { writer.Set(column, value); return new(writer, column + 1); }
    /// <summary>The value of the next column, a string column.</summary>
    public TrajectoryRow String(string value) { writer.Set(column, value); return new(writer, column + 1); }
    /// <summary>Completes the row (every column must have a value); may start a part in the background.</summary>
    public void End() => writer.EndRow(column);
}

/// <summary>
/// Rows being added to a <see cref="TrajectoryWriter"/> together (<see cref="TrajectoryWriter.AddRows"/>):
/// one span per column, in any order, each taken once, then <see cref="End"/>.
/// </summary>
internal readonly ref struct RowBlock
{
    private readonly TrajectoryWriter writer;
    private readonly int start;

    internal RowBlock(TrajectoryWriter writer, int start, int count) => (this.writer, this.start, Count) = (writer, start, count);

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>The values of long column <paramref name="column"/>, one per row.</summary>
    public Span<long> Longs(int column) => writer.BlockColumn<long>(column, start, Count, TrajectoryColumnType.Long);
    /// <summary>The values of int column <paramref name="column"/>, one per row.</summary>
    public Span<int> Ints(int column) => writer.BlockColumn<int>(column, start, Count, TrajectoryColumnType.Int);
    /// <summary>The values of double column <paramref name="column"/>, one per row.</summary>
    public Span<double> Doubles(int column) => writer.BlockColumn<double>(column, start, Count, TrajectoryColumnType.Double);
    /// <summary>The values of string column <paramref name="column"/>, one per row (none null).</summary>
    public Span<string> Strings(int column) => writer.BlockColumn<string>(column, start, Count, TrajectoryColumnType.String);
    /// <summary>Adds the rows (every column must have been taken); may start a part in the background.</summary>
    public void End() => writer.EndBlock(Count);
}
