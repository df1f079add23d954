using System.Globalization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Parley.Hub.Web;

/// <summary>
/// Motion JPEG over HTTP for <c>&lt;img src="/path/mjpeg"&gt;</c> and simple clients: a never-ending
/// <c>multipart/x-mixed-replace</c> response (the HTML Living Standard's server push), one part per JPEG frame
/// with its Content-Type and Content-Length. Frames come from the viewer's queue, which drops when the client
/// reads too slowly.
/// </summary>
internal static class MjpegSession
{
    /// <summary>The multipart boundary.</summary>
    public const string Boundary = "parleyframe";

    private static readonly byte[] PartEnd = "\r\n"u8.ToArray();

    /// <summary>Streams frames until the stream ends or the client goes; returns why it ended.</summary>
    public static async Task<string> RunAsync(HttpContext context, WebViewer viewer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        response.Headers.CacheControl = "no-store";
        var header = new byte[128];
        try
        {
            await response.StartAsync(cancellationToken);
            var frames = viewer.Frames;
            while (await frames.WaitToReadAsync(cancellationToken))
            {
                while (frames.TryRead(out var frame))
                {
                    try
                    {
                        var jpeg = frame.Memory[WebMessage.HeaderLength..];
                        Utf8.TryWrite(header, CultureInfo.InvariantCulture,
                            $"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n", out int length);
                        await response.Body.WriteAsync(header.AsMemory(0, length), cancellationToken);
                        await response.Body.WriteAsync(jpeg, cancellationToken);
                        await response.Body.WriteAsync(PartEnd, cancellationToken);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                await response.Body.FlushAsync(cancellationToken);
            }

            return "stream ended";
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return "client closed the connection";
        }
        finally
        {
            viewer.DrainAndRelease();
        }
    }
}
