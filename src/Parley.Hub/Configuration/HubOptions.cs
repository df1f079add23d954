using System.Net;

namespace Parley.Hub.Configuration;

/// <summary>
/// Everything `parley serve` can be told. The initialisers are the embedded defaults; a YAML file, PARLEY_*
/// environment variables and command-line flags override them in that order (see <see cref="HubConfigurationLoader"/>).
/// </summary>
public sealed partial class HubOptions
{
    /// <summary>Minimum log level: trace, debug, information, warning, error.</summary>
    public string LogLevel { get; set; } = "information";

    /// <summary>RTSP server settings.</summary>
    public RtspSection Rtsp { get; } = new();

    /// <summary>Path and fan-out settings.</summary>
    public PathsSection Paths { get; } = new();

    /// <summary>HTTP server settings: web UI, WebSocket players, MJPEG, JSON API.</summary>
    public HttpSection Http { get; } = new();

    /// <summary>WebRTC media (WHEP players): the shared ICE UDP port and the addresses put into candidates.</summary>
    public WebRtcSection WebRtc { get; } = new();

    /// <summary>WebRTC settings (MediaMTX's default port 8189/UDP). Signalling (WHEP) runs on the HTTP server.</summary>
    public sealed class WebRtcSection
    {
        /// <summary>Serve WHEP on POST /&lt;path&gt;/whep (needs http.enabled).</summary>
        public bool Enabled { get; set; } = true;

        /// <summary>Listen address of the ICE UDP socket; 0.0.0.0 for all IPv4 interfaces.</summary>
        public IPAddress Address { get; set; } = IPAddress.Any;

        /// <summary>The one UDP port every WebRTC peer uses; 0 picks a free one.</summary>
        public int UdpPort { get; set; } = Parley.WebRtc.Ice.IceServerOptions.DefaultPort;

        /// <summary>
        /// Addresses announced as ICE host candidates (a public address behind 1:1 NAT, 127.0.0.1 for loopback
        /// browsers); empty announces the addresses of the up interfaces.
        /// </summary>
        public IReadOnlyList<IPAddress> AdvertisedAddresses { get; set; } = [];
    }

    /// <summary>The built-in demo stream.</summary>
    public DemoSection Demo { get; } = new();

    /// <summary>Rooms: limits, liveness and the chat database (docs/rooms-protocol.md).</summary>
    public RoomsSection Rooms { get; } = new();

    /// <summary>Access control: users, permissions, tokens, allowed addresses.</summary>
    public HubAuthOptions Auth { get; } = new();

    /// <summary>RTSP settings (MediaMTX's defaults: 8554/TCP, RTP 8000/UDP, RTCP 8001/UDP).</summary>
    public sealed class RtspSection
    {
        /// <summary>Listen address; 0.0.0.0 for all IPv4 interfaces, :: for IPv4 and IPv6.</summary>
        public IPAddress Address { get; set; } = IPAddress.Any;

        /// <summary>RTSP TCP port; 0 picks a free one.</summary>
        public int Port { get; set; } = 8554;

        /// <summary>RTP UDP port (even); 0 picks a free pair.</summary>
        public int RtpPort { get; set; } = 8000;

        /// <summary>RTCP UDP port.</summary>
        public int RtcpPort { get; set; } = 8001;

        /// <summary>
        /// Serve RTSPS (RTSP over TLS, SRTP for UDP readers) on <see cref="TlsPort"/> with the hub certificate. On by
        /// default so endpoints can always encrypt; plain RTSP stays on <see cref="Port"/> for players that lack TLS.
        /// </summary>
        public bool Tls { get; set; } = true;

        /// <summary>RTSPS TCP port; 0 picks a free one.</summary>
        public int TlsPort { get; set; } = 8322;

        /// <summary>
        /// Who plain RTSP on <see cref="Port"/> serves: loopback clients only (default), everyone (allow) or no one
        /// (off). Any other client gets 403 with the rtsps:// URL to use instead.
        /// </summary>
        public Parley.Security.Access.PlaintextMode Plaintext { get; set; } = Parley.Security.Access.PlaintextMode.Loopback;

        /// <summary>
        /// SRTP keys of RTSPS readers over UDP: <see cref="SrtpKeying.Shared"/> (default) encrypts each packet once for
        /// all readers of a stream; <see cref="SrtpKeying.PerReader"/> gives every reader its own key, encrypting per
        /// reader (a reader's key lets it decrypt only its own copy and forge nothing for the others).
        /// </summary>
        public SrtpKeying SrtpKeys { get; set; } = SrtpKeying.Shared;

        /// <summary>Seconds of silence after which a session is closed.</summary>
        public int SessionTimeoutSeconds { get; set; } = 60;

        /// <summary>Seconds a TCP reader may block a write before it is disconnected.</summary>
        public int WriteTimeoutSeconds { get; set; } = 10;

        /// <summary>RTSP connections one client address may hold at once (0: no limit).</summary>
        public int MaxConnectionsPerAddress { get; set; } = 256;
    }

    /// <summary>How RTSPS readers over UDP are keyed (rtsp.srtpKeys).</summary>
    public enum SrtpKeying
    {
        /// <summary>One key per stream; each packet encrypted once for every reader.</summary>
        Shared,

        /// <summary>One key per reader; each packet encrypted once per reader.</summary>
        PerReader,
    }

    /// <summary>HTTP settings (MediaMTX's default port 8080).</summary>
    public sealed class HttpSection
    {
        /// <summary>Serve the web UI, players and API.</summary>
        public bool Enabled { get; set; } = true;

        /// <summary>Listen address; 0.0.0.0 for all IPv4 interfaces, :: for IPv4 and IPv6.</summary>
        public IPAddress Address { get; set; } = IPAddress.Any;

        /// <summary>HTTP TCP port; 0 picks a free one.</summary>
        public int Port { get; set; } = 8080;

        /// <summary>
        /// Serve HTTPS (and so WSS) on <see cref="TlsPort"/> with the hub certificate, beside plain HTTP. On by default:
        /// browsers grant camera and microphone (getUserMedia) to a page from another machine only over HTTPS, and
        /// passwords and join tokens must not cross a network in clear.
        /// </summary>
        public bool Tls { get; set; } = true;

        /// <summary>
        /// Who plain HTTP on <see cref="Port"/> serves: loopback clients only (default); everyone (allow); no one
        /// (off). A client it does not serve is redirected (308) to the HTTPS URL for pages, and refused (403, naming
        /// the HTTPS URL) for the API, WebSockets and WHIP/WHEP.
        /// </summary>
        public Parley.Security.Access.PlaintextMode Plaintext { get; set; } = Parley.Security.Access.PlaintextMode.Loopback;

        /// <summary>HTTPS TCP port; 0 picks a free one.</summary>
        public int TlsPort { get; set; } = 8443;

        /// <summary>
        /// Origins (scheme://host[:port]) whose pages may embed the player: they may open the WebSocket, fetch the
        /// API and load the MJPEG stream. Pages served by the hub itself are always allowed; "*" allows any origin.
        /// </summary>
        public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

        /// <summary>
        /// Per-viewer queue length in messages (video frames, audio packets). 64 messages hold about one second:
        /// a viewer further behind than that drops and restarts at the next key frame instead of growing a delay.
        /// </summary>
        public int ViewerQueueMessages { get; set; } = 64;
    }

    /// <summary>Paths and fan-out.</summary>
    public sealed class PathsSection
    {
        /// <summary>When true a new publisher replaces the current one on a path; when false it is refused (403).</summary>
        public bool AllowTakeover { get; set; }

        /// <summary>
        /// Per-reader queue length in packets. 2048 packets hold about 4 s of a 4 Mb/s stream: enough to ride out
        /// a stall, small enough that a stuck reader's memory stays bounded.
        /// </summary>
        public int ReaderQueuePackets { get; set; } = 2048;
    }

    /// <summary>The built-in demo: a moving test pattern with a tone, JPEG + Opus.</summary>
    public sealed class DemoSection
    {
        /// <summary>Serve the demo path.</summary>
        public bool Enabled { get; set; } = true;

        /// <summary>Path of the demo stream.</summary>
        public string Path { get; set; } = "demo";

        /// <summary>Frame width in pixels (multiple of 8, RFC 2435 §3.1.5).</summary>
        public int Width { get; set; } = 640;

        /// <summary>Frame height in pixels (multiple of 8, RFC 2435 §3.1.6).</summary>
        public int Height { get; set; } = 360;

        /// <summary>Frames per second.</summary>
        public int FrameRate { get; set; } = 25;

        /// <summary>JPEG quality, 1..100.</summary>
        public int Quality { get; set; } = 80;
    }

    /// <summary>Rooms (docs/rooms-protocol.md): limits, liveness and where chat history is stored.</summary>
    public sealed class RoomsSection
    {
        /// <summary>Rooms open at once; joining a new room beyond this gets the error too-many-rooms.</summary>
        public int MaxRooms { get; set; } = 100;

        /// <summary>Participants in one room; one more gets the error room-full.</summary>
        public int MaxParticipants { get; set; } = 16;

        /// <summary>Largest chat text in UTF-8 bytes; longer gets chat-too-long.</summary>
        public int MaxChatBytes { get; set; } = 4096;

        /// <summary>Chat messages per second a participant may send on average (token bucket refill rate).</summary>
        public int ChatMessagesPerSecond { get; set; } = 5;

        /// <summary>Chat messages a participant may send back to back before the rate applies (token bucket size).</summary>
        public int ChatBurst { get; set; } = 10;

        /// <summary>Chat messages a joiner gets as history (the newest ones, oldest first).</summary>
        public int HistoryMessages { get; set; } = 100;

        /// <summary>
        /// Seconds without any message from a participant after which it is removed (reason timeout). Clients
        /// send at least every 5 s, so 10 s rides out one lost keep-alive.
        /// </summary>
        public int IdleTimeoutSeconds { get; set; } = 10;

        /// <summary>
        /// SQLite file holding chat history. The loader puts it next to the configuration file when one is loaded;
        /// otherwise it is parley.db in the working directory.
        /// </summary>
        public string Database { get; set; } = "parley.db";
    }
}
