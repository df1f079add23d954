namespace Parley.Cli;

/// <summary>Process exit codes (DESIGN.md §4).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
