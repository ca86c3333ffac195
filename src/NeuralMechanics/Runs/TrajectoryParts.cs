using System.Globalization;
using System.Text.RegularExpressions;
using Parquet;
using Parquet.Schema;

namespace NeuralMechanics.Runs;

/// <summary>
/// The part files of one trajectory table folder: naming, listing, and reading/writing one part
/// (one Parquet file, one row group, non-nullable columns).
/// </summary>
internal static partial class TrajectoryParts
{
    /// <summary>The path of part <paramref name="number"/>: <c>part-00007.parquet</c>.</summary>
    public static string PartPath(string folder, int number) =>
        Path.Combine(folder, $"part-{number.ToString("D5", CultureInfo.InvariantCulture)}.parquet");

    /// <summary>The complete parts of a folder in part order (empty when the folder does not exist); temporary files are not parts.</summary>
    public static List<(int Number, string Path)> List(string folder)
    {
        var parts = new List<(int, string)>();
        if (!Directory.Exists(folder)) return parts;
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var match = PartName().Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                parts.Add((number, path));
        }
        parts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return parts;
    }

    /// <summary>Deletes the temporary files an interrupted write left in <paramref name="folder"/>.</summary>
    public static void RemoveTemporaryFiles(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder).Where(AtomicFile.IsTemporary))
            File.Delete(path);
    }

    /// <summary>Writes the first <paramref name="count"/> rows of <paramref name="arrays"/> as one part, atomically.</summary>
    public static void Write(string path, IReadOnlyList<TrajectoryColumn> columns, Array[] arrays, int count)
    {
        var schema = new ParquetSchema(columns.Select(ToField));
        AtomicFile.Write(path, stream => WriteAsync(stream, schema, arrays, count).GetAwaiter().GetResult());
    }

    private static async Task WriteAsync(Stream stream, ParquetSchema schema, Array[] arrays, int count)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < arrays.Length; i++)
        {
            var field = schema.DataFields[i];
            var write = arrays[i] switch
            {
                long[] a => group.WriteAsync(field, new ReadOnlyMemory<long>(a, 0, count)),
                int[] a => group.WriteAsync(field, new ReadOnlyMemory<int>(a, 0, count)),
                double[] a => group.WriteAsync(field, new ReadOnlyMemory<double>(a, 0, count)),
                string[] a => group.WriteAsync(field, new ArraySegment<string>(a, 0, count)),
                _ => throw new ArgumentException($"unsupported column array {arrays[i].GetType()}"),
            };
            await write.ConfigureAwait(false);
        }
    }

    /// <summary>Reads the columns of one part file: all of them, or those named in <paramref name="only"/> (in file order).</summary>
    /// <exception cref="InvalidInputException">The file is not a readable Parquet file of supported column types, or lacks a requested column.</exception>
    public static (TrajectoryColumn[] Columns, Array[] Arrays, int Count) Read(string path, IReadOnlyCollection<string>? only = null)
    {
        try
        {
            return Task.Run(() => ReadAsync(path, only)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not InvalidInputException and not FileNotFoundException)
        {
            throw InvalidInputException.InFile(path, "parquet", $"expected a readable Parquet part file: {e.Message}");
        }
    }

    /// <summary>Reads one column of one part file (see <see cref="Read"/>).</summary>
    public static Array ReadColumn(string path, string name) => Read(path, [name]).Arrays[0];

    /// <summary>The column names and types of one part file, from its footer.</summary>
    public static TrajectoryColumn[] ReadColumns(string path)
    {
        try
        {
            return Task.Run(async () =>
            {
                await using var stream = File.OpenRead(path);
                var schema = await ParquetReader.ReadSchemaAsync(stream).ConfigureAwait(false);
                return schema.DataFields.Select(f => FromField(path, f)).ToArray();
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not InvalidInputException and not FileNotFoundException)
        {
            throw InvalidInputException.InFile(path, "parquet", $"expected a readable Parquet part file: {e.Message}");
        }
    }

    private static async Task<(TrajectoryColumn[] Columns, Array[] Arrays, int Count)> ReadAsync(string path, IReadOnlyCollection<string>? only)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream).ConfigureAwait(false);
        var fields = reader.Schema.DataFields.Where(f => only is null || only.Contains(f.Name)).ToArray();
        if (only?.FirstOrDefault(name => !fields.Any(f => f.Name == name)) is { } missing)
            throw InvalidInputException.InFile(path, missing, $"expected this column; the part has {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))}");
        var columns = fields.Select(f => FromField(path, f)).ToArray();
        var total = checked((int)reader.RowGroups.Sum(g => g.RowCount));
        var arrays = columns.Select(c => NewArray(c.Type, total)).ToArray();
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = (int)group.RowCount;
            for (var i = 0; i < fields.Length; i++)
            {
                var read = arrays[i] switch
                {
                    long[] a => group.ReadAsync(fields[i], a.AsMemory(offset, rows)),
                    int[] a => group.ReadAsync(fields[i], a.AsMemory(offset, rows)),
                    double[] a => group.ReadAsync(fields[i], a.AsMemory(offset, rows)),
                    string[] a => group.ReadAsync(fields[i], a.AsMemory(offset, rows)!),
                    _ => throw new InvalidOperationException("unreachable: NewArray makes only the four column arrays"),
                };
                await read.ConfigureAwait(false);
            }
            offset += rows;
        }
        return (columns, arrays, total);
    }

    /// <summary>An array for <paramref name="length"/> values of a column type.</summary>
    public static Array NewArray(TrajectoryColumnType type, int length) => type switch
    {
        TrajectoryColumnType.Long => new long[length],
        TrajectoryColumnType.Int => new int[length],
        TrajectoryColumnType.Double => new double[length],
        _ => new string[length],
    };

    private static DataField ToField(TrajectoryColumn column) => column.Type switch
    {
        TrajectoryColumnType.Long => new DataField<long>(column.Name, false),
        TrajectoryColumnType.Int => new DataField<int>(column.Name, false),
        TrajectoryColumnType.Double => new DataField<double>(column.Name, false),
        _ => new DataField<string>(column.Name, false),
    };

    private static TrajectoryColumn FromField(string path, DataField field)
    {
        if (field.IsArray)
            throw InvalidInputException.InFile(path, field.Name, "expected a scalar column, found a list");
        var type = field.ClrType;
        if (type == typeof(long)) return TrajectoryColumn.Long(field.Name);
        if (type == typeof(int)) return TrajectoryColumn.Int(field.Name);
        if (type == typeof(double)) return TrajectoryColumn.Double(field.Name);
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>)) return TrajectoryColumn.String(field.Name);
        throw InvalidInputException.InFile(path, field.Name, $"expected a long, int, double or string column, found {type.Name}");
    }

    [GeneratedRegex(@"^part-(\d+)\.parquet$")]
    private static partial Regex PartName();
}
