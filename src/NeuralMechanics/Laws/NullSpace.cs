using static TorchSharp.torch;

namespace NeuralMechanics.Laws;

/// <summary>
/// The numeric rank, the singular-value gap at the tolerance and an orthonormal basis of the null
/// space of a matrix whose null space is small beside its D columns (the depth-1 fields: D − rank
/// is the number of laws). A dense SVD with vectors costs O(D³) with a large constant, half of it
/// memory-bound bidiagonalisation; this costs one Householder QR (BLAS 3) and triangular solves:
/// M = QR has M's singular values and right singular vectors, and inverse subspace iteration with
/// RᵀR amplifies each direction by 1/σ², so a block of k vectors converges to the k smallest
/// singular directions at the rate (σ_i / σ_k+1)² per step. Rayleigh–Ritz on R (the true, unshifted
/// one) then gives singular values that bound the true ones from above and are exact when the block
/// has converged; the block grows until it holds every value below the tolerance and at least
/// <see cref="Spare"/> above it, so the gap σ_r / σ_r+1 is read off the same values as the rank.
/// </summary>
internal static class NullSpace
{
    /// <summary>Ritz values above the tolerance the block must hold besides the null space (the gap and its convergence need them).</summary>
    public const int Spare = 16;

    /// <summary>Inverse iterations at most per block size; two are usually enough, the rest waits for σ_r to settle.</summary>
    private const int MaxIterations = 12;

    /// <summary>Relative change of the smallest kept Ritz value under which the block counts as converged.</summary>
    private const double Settled = 1e-3;

    /// <summary>
    /// Diagonal entries of R below this fraction of its largest entry are raised to it before the
    /// solves (an exactly zero column, a parameter no field moves, would divide by zero). The shift
    /// moves the null space found by about floor / σ_r, so it sits at the QR's own rounding (a few ε
    /// of |R|): 1e-13 tilted the basis enough to cost the depth-2 gap a factor of ten.
    /// </summary>
    private const double DiagonalFloor = 1e-15;

    /// <summary>
    /// Rank (the number of singular values of <paramref name="matrix"/> above <paramref name="tolerance"/>),
    /// the gap (see <see cref="NumericRank"/>), the Ritz singular values the decision was made from
    /// (descending) and the null space's orthonormal basis [D, D − rank].
    /// </summary>
    public static (long Rank, double Gap, double[] Values, Tensor Basis) Of(Tensor matrix, double tolerance, Generator generator)
    {
        long d = matrix.shape[1];
        var dtype = matrix.dtype;
        var device = matrix.device;
        // Rows of zeros change neither the singular values nor the null space; they make R square.
        var tall = matrix.shape[0] >= d ? matrix : cat([matrix, zeros([d - matrix.shape[0], d], dtype: dtype, device: device)], 0);
        var r = linalg.qr(tall, linalg.QRMode.R).R;
        double largest = r.abs().max().ReadDouble();
        if (largest == 0) return (0, double.PositiveInfinity, new double[d], eye(d, dtype: dtype, device: device));
        var shifted = Floored(r, largest * DiagonalFloor);
        var shiftedT = shifted.t().contiguous();

        long k = Math.Min(d, 64);
        Tensor? start = null;
        while (true)
        {
            // A grown block keeps the directions already found (warm start) and adds random ones.
            var fresh = randn([d, k - (start?.shape[1] ?? 0)], dtype: dtype, device: device, generator: generator);
            var block = linalg.qr(start is null ? fresh : cat([start, fresh], 1)).Q;
            double[] values = [];
            Tensor vectors = block;
            double previous = double.NaN;
            for (int iteration = 0; iteration < MaxIterations; iteration++)
            {
                // (RᵀR)⁻¹ X by two triangular solves, then re-orthonormalised.
                var y = linalg.solve_triangular(shiftedT, block, upper: false);
                block = linalg.qr(linalg.solve_triangular(shifted, y, upper: true)).Q;
                var (_, s, vh) = linalg.svd(r.matmul(block), fullMatrices: false);
                values = s.cpu().contiguous().data<double>().ToArray();
                vectors = block.matmul(vh.t());
                int dropped = values.Count(v => v <= tolerance);
                double smallestKept = dropped < values.Length ? values[values.Length - dropped - 1] : double.NaN;
                bool settled = Math.Abs(smallestKept - previous) <= Settled * smallestKept;
                previous = smallestKept;
                // The whole space needs one step (Rayleigh–Ritz on it is the SVD); a block already
                // full of values below the tolerance must grow whatever further steps would show.
                if (k == d || (iteration >= 1 && (settled || dropped + Spare > k))) break;
            }
            int nulls = values.Count(v => v <= tolerance);
            if (k == d || nulls + Spare <= k)
            {
                var (kept, gap) = NumericRank.Of(values, tolerance);
                long rank = d - nulls;
                return (rank, gap, values, vectors[TensorIndex.Colon, TensorIndex.Slice(kept)].contiguous());
            }
            start = vectors;
            k = Math.Min(d, 2 * (nulls + Spare));
        }
    }

    /// <summary>R with each diagonal entry of magnitude below <paramref name="floor"/> set to it.</summary>
    private static Tensor Floored(Tensor r, double floor)
    {
        using TorchSharp.Scalar low = floor;
        var diagonal = r.diagonal();
        var raised = where(diagonal.abs() < low, full_like(diagonal, low), diagonal);
        return r - diag(diagonal) + diag(raised);
    }
}
