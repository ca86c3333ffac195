namespace NeuralMechanics.Tests.Reporting;

/// <summary>A fact that needs Debian's chromium; skipped, saying so, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium))
            Skip = $"{Chromium} is not installed (Debian: apt-get install -y chromium); the headless rendering of report.html is not checked";
    }
}
