using NeuralMechanics.Runs;

namespace NeuralMechanics.Tracking;

/// <summary>
/// A table a quantity writes: a folder of Parquet parts in the run directory with fixed columns
/// (<see cref="TrajectorySchema"/>'s conventions). The session flushes it before every checkpoint,
/// drops the rows past the checkpoint when a run resumes, and closes it.
/// </summary>
public sealed class QuantityTable
{
    internal QuantityTable(TrajectoryWriter writer) => Writer = writer;

    internal TrajectoryWriter Writer { get; }

    /// <summary>The folder's name in the run directory.</summary>
    public string Folder => Path.GetFileName(Writer.Folder);

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<TrajectoryColumn> Columns => Writer.Columns;

    /// <summary>Starts a row: give each column's value in order (<see cref="QuantityRow"/>), then <see cref="QuantityRow.End"/>.</summary>
    public QuantityRow AddRow() => new(Writer.AddRow());
}

/// <summary>A row being written: one call per column, in the table's column order, then <see cref="End"/>.</summary>
public readonly struct QuantityRow
{
    private readonly TrajectoryRow row;

    internal QuantityRow(TrajectoryRow row) => this.row = row;

    /// <summary>The next column's value (a long column).</summary>
    public QuantityRow Long(long value) => new(row.Long(value));
    /// <summary>The next column's value (an int column).</summary>
    public QuantityRow Int(int value) => new(row.Int(value));
    /// <summary>The next column's value (a double column).</summary>
    public QuantityRow Double(double value) => new(row.Double(value));
    /// <summary>The next column's value (a string column).</summary>
    public QuantityRow String(string value) => new(row.String(value));
    /// <summary>Ends the row (every column given).</summary>
    public void End() => row.End();
}
