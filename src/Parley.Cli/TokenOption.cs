using System.CommandLine;

namespace Parley.Cli;

/// <summary>The `--token JWT` option of send, view and call: a join token the hub issued, or PARLEY_TOKEN.</summary>
internal static class TokenOption
{
    /// <summary>The environment variable read when --token is absent (a token on the command line shows in ps).</summary>
    public const string Variable = "PARLEY_TOKEN";

    public static Option<string?> Create() => new("--token")
    {
        Description = $"A join token (invitation) from the hub, presented as 'Authorization: Bearer' to its room socket and RTSP(S); default: ${Variable}",
    };

    /// <summary>The token from --token, else from PARLEY_TOKEN, else null.</summary>
    public static string? Value(string? option) =>
        option is { Length: > 0 } ? option.Trim()
            : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
}
