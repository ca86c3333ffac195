using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>A curve: values against the paper's time, finite points only.</summary>
internal sealed record Series(double[] Time, double[] Values)
{
    /// <summary>Most points drawn per curve: more adds file size, not information, at figure resolution.</summary>
    public const int MaxPoints = 1500;

    public int Count => Time.Length;
    public bool IsEmpty => Time.Length == 0;

    /// <summary>The rows <paramref name="rows"/> (in step order) of <paramref name="column"/> against <paramref name="time"/>(step).</summary>
    public static Series From(TrajectoryTable table, IReadOnlyList<int> rows, string column, Func<long, double> time)
    {
        if (rows.Count == 0) return new Series([], []);
        var steps = table.Longs(TrajectorySchema.Step);
        var values = table.Doubles(column);
        var t = new List<double>(rows.Count);
        var v = new List<double>(rows.Count);
        foreach (var i in rows)
        {
            if (!double.IsFinite(values[i])) continue;
            t.Add(time(steps[i]));
            v.Add(values[i]);
        }
        return new Series(t.ToArray(), v.ToArray());
    }

    /// <summary>At most <see cref="MaxPoints"/> points, evenly strided, keeping the first and last.</summary>
    public Series Thinned()
    {
        if (Count <= MaxPoints) return this;
        var keep = Enumerable.Range(0, MaxPoints).Select(k => (int)Math.Round(k * (Count - 1) / (double)(MaxPoints - 1))).Distinct().ToArray();
        return new Series(keep.Select(i => Time[i]).ToArray(), keep.Select(i => Values[i]).ToArray());
    }

    /// <summary>The points with a finite value.</summary>
    public Series Finite()
    {
        var keep = Enumerable.Range(0, Count).Where(i => double.IsFinite(Values[i])).ToArray();
        return keep.Length == Count ? this : new Series(keep.Select(i => Time[i]).ToArray(), keep.Select(i => Values[i]).ToArray());
    }

    /// <summary>The points with a positive value (those a log axis can draw).</summary>
    public Series Positive()
    {
        var keep = Enumerable.Range(0, Count).Where(i => Values[i] > 0).ToArray();
        return keep.Length == Count ? this : new Series(keep.Select(i => Time[i]).ToArray(), keep.Select(i => Values[i]).ToArray());
    }

    /// <summary>The points at a positive time (those a log x axis can draw).</summary>
    public Series PositiveTime()
    {
        var keep = Enumerable.Range(0, Count).Where(i => Time[i] > 0).ToArray();
        return keep.Length == Count ? this : new Series(keep.Select(i => Time[i]).ToArray(), keep.Select(i => Values[i]).ToArray());
    }

    /// <summary>The same curve with <paramref name="map"/> applied to every value.</summary>
    public Series Map(Func<double, double> map) => new(Time, Values.Select(map).ToArray());
}
