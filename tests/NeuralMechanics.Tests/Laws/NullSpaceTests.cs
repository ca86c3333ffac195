using NeuralMechanics.Laws;
using NeuralMechanics;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Laws;

/// <summary>
/// The QR and inverse-subspace-iteration null space against a matrix built from its SVD: U diag(σ) Vᵀ
/// with chosen σ, so the rank, the gap and the null space are known before it runs.
/// </summary>
public class NullSpaceTests
{
    [Theory]
    [InlineData(20)]
    [InlineData(100)] // more than the first block of 64: the block must grow
    public void RankGapAndNullSpaceAreThoseOfTheConstructedSingularValues(int nulls)
    {
        using var scope = NewDisposeScope();
        const int d = 300, rows = 310;
        int kept = d - nulls;
        var generator = new Generator(11);
        var u = linalg.qr(randn([rows, d], dtype: ScalarType.Float64, generator: generator)).Q;
        var v = linalg.qr(randn([d, d], dtype: ScalarType.Float64, generator: generator)).Q;
        // Kept: log-spaced from 1 down to 1e-4; dropped: 1e-12, well under τ = 1e-9.
        var sigma = Enumerable.Range(0, kept).Select(i => Math.Pow(1e-4, i / (double)(kept - 1)))
            .Concat(Enumerable.Repeat(1e-12, nulls)).ToArray();
        var matrix = u.matmul(diag(tensor(sigma, dtype: ScalarType.Float64))).matmul(v.t());

        var (rank, gap, values, basis) = NullSpace.Of(matrix, 1e-9, new Generator(5));

        Assert.Equal(kept, rank);
        Assert.Equal(1e-4 / 1e-12, gap, 1e8 * 1e-3);
        Assert.Equal(1e-4, values.Where(s => s > 1e-9).Min(), 1e-4 * 1e-3);
        Assert.Equal([d, nulls], basis.shape);
        // Orthonormal, and orthogonal to every kept right singular vector.
        Assert.True(basis.t().matmul(basis).sub(eye(nulls, dtype: ScalarType.Float64)).abs().max().ReadDouble() < 1e-12);
        var keptVectors = v[TensorIndex.Colon, TensorIndex.Slice(0, kept)];
        Assert.True(keptVectors.t().matmul(basis).abs().max().ReadDouble() < 1e-8);
    }

    [Fact]
    public void ZeroColumnsAreNullDirectionsAndAZeroMatrixIsAllNull()
    {
        using var scope = NewDisposeScope();
        // A parameter no field moves is an exactly zero column: R has a zero on its diagonal.
        var matrix = randn([12, 10], dtype: ScalarType.Float64, generator: new Generator(3));
        matrix[TensorIndex.Colon, 4] = zeros(12, dtype: ScalarType.Float64);
        var (rank, _, _, basis) = NullSpace.Of(matrix, 1e-9, new Generator(5));
        Assert.Equal(9, rank);
        Assert.Equal(1.0, basis[4, 0].abs().ReadDouble(), 12);

        var (zeroRank, _, _, all) = NullSpace.Of(zeros([3, 5], dtype: ScalarType.Float64), 1e-9, new Generator(5));
        Assert.Equal(0, zeroRank);
        Assert.Equal([5, 5], all.shape);
    }
}
