using System.CommandLine;
using Parley.Cli;

// parley: the hub (serve) and, later, the endpoint (send, view, call). Parses commands, builds the pieces, nothing else.
var root = new RootCommand("Parley: self-hosted real-time video, voice and text.")
{
    ServeCommand.Create(),
    SendCommand.Create(),
    BenchCommand.Create(),
    ViewCommand.Create(),
    CallCommand.Create(),
    DevicesCommand.Create(),
    HashPasswordCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"parley: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run 'parley --help' for usage.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) });
