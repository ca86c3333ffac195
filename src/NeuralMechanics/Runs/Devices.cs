using TorchSharp;

namespace NeuralMechanics.Runs;

/// <summary>Resolves the <c>--device cpu|cuda|auto</c> choice to a TorchSharp device.</summary>
internal static class Devices
{
    /// <summary>
    /// "cpu", "cuda" (error where CUDA is missing) or "auto" (CUDA when present). CUDA must be
    /// initialised before the first tensor so TorchSharp loads libtorch_cuda.
    /// </summary>
    public static torch.Device Resolve(string choice)
    {
        switch (choice.ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!CudaAvailable())
                    throw new InvalidInputException("--device cuda: no CUDA device is available (TorchSharp-cpu build, or no libtorch_cuda on LD_LIBRARY_PATH, or no GPU); use --device cpu or auto");
                return torch.CUDA;
            case "auto":
                return CudaAvailable() ? torch.CUDA : torch.CPU;
            default:
                throw new InvalidInputException($"--device: expected cpu, cuda or auto, found '{choice}'");
        }
    }

    /// <summary>True when a CUDA device can be used; tries to initialise the CUDA backend once.</summary>
    public static bool CudaAvailable()
    {
        if (cudaChecked) return cudaAvailable;
        cudaChecked = true;
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
            cudaAvailable = torch.cuda.is_available();
        }
        catch (Exception)
        {
            cudaAvailable = false;
        }
        return cudaAvailable;
    }

    /// <summary>
    /// The GPUs' names as nvidia-smi reports them (TorchSharp does not expose the device name),
    /// or null where nvidia-smi is missing.
    /// </summary>
    public static string? GpuNames()
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("nvidia-smi", "--query-gpu=name,memory.total --format=csv,noheader")
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(info);
            if (process is null) return null;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? string.Join("; ", output.Split('\n', StringSplitOptions.TrimEntries)) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static bool cudaChecked, cudaAvailable;
}
