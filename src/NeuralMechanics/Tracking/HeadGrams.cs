namespace NeuralMechanics.Tracking;

/// <summary>
/// The Gram matrices of one attention head's factors, summed in float64 on the host straight from
/// float32 parameter memory: the matrix charges' CPU kernel (<see cref="MatrixCharges"/>). A charge of
/// a small head costs a few thousand products, far less than the dozens of libtorch operations (each a
/// dispatch and a float64 copy) the tensor form needs per layer. Products of two floats are exact in a
/// double, so the sums differ from the tensor form's only in the order of the additions.
/// </summary>
internal static class HeadGrams
{
    /// <summary>
    /// Adds <paramref name="sign"/>·ÂÂᵀ to <paramref name="gram"/> [count, count], Â the rows
    /// <paramref name="first"/>…<paramref name="first"/>+<paramref name="count"/>−1 of [W | b]
    /// (W row-major [rows, <paramref name="inputs"/>]), and returns |Â|²_F.
    /// </summary>
    public static double AddRows(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int count, int inputs, Span<double> gram, double sign)
    {
        double trace = 0;
        for (int i = 0; i < count; i++)
        {
            var ri = w.Slice((first + i) * inputs, inputs);
            for (int j = i; j < count; j++)
            {
                var rj = w.Slice((first + j) * inputs, inputs);
                double s = (double)b[first + i] * b[first + j];
                for (int c = 0; c < inputs; c++) s += (double)ri[c] * rj[c];
                gram[i * count + j] += sign * s;
                if (j != i) gram[j * count + i] += sign * s;
                else trace += s;
            }
        }
        return trace;
    }

    /// <summary>
    /// Adds <paramref name="sign"/>·BBᵀ to <paramref name="gram"/> [count, count], B's rows the columns
    /// <paramref name="first"/>…<paramref name="first"/>+<paramref name="count"/>−1 of W (row-major
    /// [rows, <paramref name="columns"/>]), and returns |B|²_F. W is read row by row (its columns are strided).
    /// </summary>
    public static double AddColumns(ReadOnlySpan<float> w, int first, int count, int columns, Span<double> gram, double sign)
    {
        var g = new double[count * count];
        int rows = w.Length / columns;
        for (int r = 0; r < rows; r++)
        {
            var row = w.Slice(r * columns + first, count);
            for (int i = 0; i < count; i++)
            {
                double a = row[i];
                for (int j = i; j < count; j++) g[i * count + j] += a * row[j];
            }
        }
        double trace = 0;
        for (int i = 0; i < count; i++)
        {
            trace += g[i * count + i];
            for (int j = i; j < count; j++)
            {
                gram[i * count + j] += sign * g[i * count + j];
                if (j != i) gram[j * count + i] += sign * g[i * count + j];
            }
        }
        return trace;
    }
}
