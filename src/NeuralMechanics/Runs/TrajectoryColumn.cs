namespace NeuralMechanics.Runs;

/// <summary>Value type of a trajectory column; each maps to one non-nullable Parquet type.</summary>
public enum TrajectoryColumnType
{
    /// <summary>INT64 (C# long).</summary>
    Long,
    /// <summary>INT32 (C# int).</summary>
    Int,
    /// <summary>DOUBLE (C# double; NaN where a value does not apply).</summary>
    Double,
    /// <summary>UTF-8 string.</summary>
    String,
}

/// <summary>One column of a trajectory table: its name and value type.</summary>
public sealed record TrajectoryColumn(string Name, TrajectoryColumnType Type)
{
    /// <summary>A <see cref="TrajectoryColumnType.Long"/> column.</summary>
    public static TrajectoryColumn Long(string name) => new(name, TrajectoryColumnType.Long);
    /// <summary>An <see cref="TrajectoryColumnType.Int"/> column.</summary>
    public static TrajectoryColumn Int(string name) => new(name, TrajectoryColumnType.Int);
    /// <summary>A <see cref="TrajectoryColumnType.Double"/> column.</summary>
    public static TrajectoryColumn Double(string name) => new(name, TrajectoryColumnType.Double);
    /// <summary>A <see cref="TrajectoryColumnType.String"/> column.</summary>
    public static TrajectoryColumn String(string name) => new(name, TrajectoryColumnType.String);
}
