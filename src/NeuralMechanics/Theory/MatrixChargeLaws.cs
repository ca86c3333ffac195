using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Theory;

/// <summary>
/// The laws of an attention head's matrix charges (docs/design.md, "Transformers"), on batches of
/// d_h × d_h matrices ([..., d_h, d_h], float64). Per head, with Ŵ = [W | b] (rows = the head's
/// features), the GL(d_h) symmetries Ŵ_Q → MᵀŴ_Q, Ŵ_K → M⁻¹Ŵ_K and Ŵ_V → MᵀŴ_V, W_Oʰ → W_OʰM⁻ᵀ
/// give the identities Ŵ_Q G_Qᵀ = G_K Ŵ_Kᵀ and Ŵ_V G_Vᵀ = G_OᵀW_Oʰ, hence the charges
/// C_QK = Ŵ_QŴ_Qᵀ − Ŵ_KŴ_Kᵀ and C_VO = Ŵ_VŴ_Vᵀ − W_OʰᵀW_Oʰ with forcings
/// F_QK = G_QG_Qᵀ − G_KG_Kᵀ and F_VO = G_VG_Vᵀ − G_OᵀG_O (G: the loss gradient, without weight decay).
/// The diagonal of each law is the scalar law of the diagonal rescale groups.
/// </summary>
public static class MatrixChargeLaws
{
    /// <summary>A·Aᵀ − B·Bᵀ for row-stacked factors A, B ([..., d_h, n] and [..., d_h, m]).</summary>
    public static Tensor Difference(Tensor a, Tensor b) => a.matmul(a.transpose(-1, -2)) - b.matmul(b.transpose(-1, -2));

    /// <summary>
    /// Exact discrete law of SGD with weight decay λ at rate η (Ŵ' = (1−ηλ)Ŵ − ηG):
    /// C' = (1−ηλ)²C + η²F. The cross terms −η(1−ηλ)(ŴGᵀ + GŴᵀ) cancel between the two factors by the identities.
    /// </summary>
    public static Tensor DiscreteStep(Tensor charge, Tensor forcing, double eta, double lambda)
    {
        var (d, f) = DiscreteCoefficients(eta, lambda);
        using Scalar decay = d, drive = f;
        return charge * decay + forcing * drive;
    }

    /// <summary><see cref="DiscreteStep"/>'s C' = Decay·C + Drive·F: Decay = (1−ηλ)², Drive = η² (one definition for the tensor and host kernels).</summary>
    public static (double Decay, double Drive) DiscreteCoefficients(double eta, double lambda) => ((1 - eta * lambda) * (1 - eta * lambda), eta * eta);

    /// <summary>
    /// One step of length η of the modified flow dC/dt = −2λC + ηF (the matrix form of eq. 18–20),
    /// F held constant over the step and integrated exactly: C' = e^{−2λη}C + η²·φ(−2λη)·F,
    /// φ(z) = (eᶻ − 1)/z. Gradient flow is C' = C.
    /// </summary>
    public static Tensor ModifiedFlowStep(Tensor charge, Tensor forcing, double eta, double lambda)
    {
        var (d, f) = ModifiedFlowCoefficients(eta, lambda);
        using Scalar decay = d, drive = f;
        return charge * decay + forcing * drive;
    }

    /// <summary><see cref="ModifiedFlowStep"/>'s C' = Decay·C + Drive·F: Decay = e^{−2λη}, Drive = η²·φ(−2λη) (one definition for the tensor and host kernels).</summary>
    public static (double Decay, double Drive) ModifiedFlowCoefficients(double eta, double lambda) =>
        (Math.Exp(-2 * lambda * eta), eta * eta * AccurateArithmetic.Phi1(-2 * lambda * eta));

    /// <summary>
    /// Exact discrete law of heavy-ball SGD with momentum β, dampening α and weight decay λ
    /// (PyTorch: d = g + λθ, v' = βv + (1−α)d, θ' = θ − ηv'; the first step v' = d is β = 0, α = 0).
    /// With Π = sym(Ŵ_A V_Aᵀ − Ŵ_B V_Bᵀ) (the symmetric part of the charge–velocity product; for V–O,
    /// W_Oʰ's factor transposed) and K' = V'_AV'_Aᵀ − V'_BV'_Bᵀ measured after the update:
    /// Π̃ = βΠ + (1−α)λC;  C' = C − 2ηΠ̃ + η²K';  Π' = Π̃ − ηK'.
    /// The gradient's cross term S = Ŵ_AG_Aᵀ − Ŵ_BG_Bᵀ is antisymmetric by the identities and drops
    /// out of every symmetric part, which is why the recurrence closes on Π rather than on the full product.
    /// </summary>
    public static (Tensor Charge, Tensor Cross) MomentumStep(Tensor charge, Tensor cross, Tensor velocityCharge,
        double eta, double lambda, double beta, double dampening)
    {
        using Scalar b = beta, c = (1 - dampening) * lambda, twoEta = 2 * eta, eta2 = eta * eta, e = eta;
        var tilde = cross * b + charge * c;
        return (charge - tilde * twoEta + velocityCharge * eta2, tilde - velocityCharge * e);
    }
}
