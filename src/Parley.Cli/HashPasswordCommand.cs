using System.CommandLine;
using Parley.Hub.Auth;
using Parley.Rtsp.Server;
using Parley.Security.Auth;

namespace Parley.Cli;

/// <summary>
/// `parley hash-password --user NAME`: reads a password from standard input (one line) and prints the lines of a
/// user entry for parley.yml's auth.users: the PBKDF2 hash and the RTSP Digest HA1. The password itself is never
/// written anywhere.
/// </summary>
internal static class HashPasswordCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user", "-u") { Description = "User name (the Digest HA1 depends on it)", Required = true };
        var command = new Command("hash-password", "Read a password from standard input and print a users entry for auth.users in parley.yml.") { user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string name = parse.GetValue(user)!;
            string? password = await Console.In.ReadLineAsync(cancellationToken);
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("parley hash-password: no password on standard input. Example: echo 'long secret' | parley hash-password --user cam1");
                return ExitCodes.Usage;
            }

            Console.WriteLine($"  - name: {name}");
            Console.WriteLine($"    password: {PasswordHash.Create(password)}");
            Console.WriteLine($"    digest: {RtspCredentials.DigestHa1(name, HubAuthorizer.Realm, password)}");
            Console.WriteLine("    read: [\"*\"]");
            return ExitCodes.Ok;
        });
        return command;
    }
}
