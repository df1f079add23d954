using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Parley.Rtsp.Server;

/// <summary>
/// One datagram for many UDP readers, sent with one <c>sendmmsg(2)</c> system call instead of one <c>sendto</c> per
/// reader: the fan-out adds every UDP reader's address with <see cref="RtspMediaTransport.TryAddToBatch"/>, then
/// calls <see cref="Send"/> once with the packet. On loopback and real NICs alike, the per-call cost of the kernel
/// entry dominates a small datagram's send, so this is what keeps UDP fan-out cheap per reader.
/// </summary>
/// <remarks>
/// One batch per thread (<see cref="ForCurrentThread"/>), filled and sent synchronously within one fan-out, so a
/// publisher's thread never sees another's entries. A datagram the kernel does not take (full socket buffer) is
/// dropped and counted on its transport's <see cref="RtspMediaTransport.SendErrors"/>; nothing ever waits.
/// Allocates nothing once the batch has grown to the largest reader count.
/// </remarks>
public sealed unsafe partial class UdpSendBatch : IDisposable
{
    private const int MsgDontWait = 0x40;
    private const int AddressSlot = 128; // sizeof(struct sockaddr_storage)

    [ThreadStatic]
    private static UdpSendBatch? t_current;

    private RtspUdpListener? _listener;
    private bool _isRtcp;
    private SocketAddress[] _targets = new SocketAddress[64];
    private RtspUdpMediaTransport[] _transports = new RtspUdpMediaTransport[64];
    private bool[] _sent = new bool[64];
    private MMsgHdr* _messages;
    private byte* _addresses;
    private int _capacity;
    private bool _sendmmsgMissing;

    /// <summary>The batch of the calling thread.</summary>
    public static UdpSendBatch ForCurrentThread => t_current ??= new UdpSendBatch();

    /// <summary>Readers added since the last <see cref="Send"/>.</summary>
    public int Count { get; private set; }

    internal void Add(RtspUdpListener listener, bool isRtcp, SocketAddress target, RtspUdpMediaTransport transport)
    {
        if (Count > 0 && (!ReferenceEquals(listener, _listener) || isRtcp != _isRtcp))
        {
            throw new InvalidOperationException("One batch carries one datagram on one socket; send it before starting another.");
        }

        _listener = listener;
        _isRtcp = isRtcp;
        if (Count == _targets.Length)
        {
            Array.Resize(ref _targets, Count * 2);
            Array.Resize(ref _transports, Count * 2);
            Array.Resize(ref _sent, Count * 2);
        }

        _targets[Count] = target;
        _transports[Count] = transport;
        Count++;
    }

    /// <summary>Sends <paramref name="datagram"/> to every address added since the last call, then empties the batch.</summary>
    /// <returns>How many readers the kernel took the datagram for.</returns>
    public int Send(ReadOnlySpan<byte> datagram)
    {
        int count = Count;
        if (count == 0)
        {
            return 0;
        }

        var socket = _listener!.GetSocket(_isRtcp);
        Array.Clear(_sent, 0, count);
        if (_sendmmsgMissing)
        {
            SendOneByOne(socket, datagram, 0, count);
        }
        else
        {
            SendMany(socket, datagram, count);
        }

        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            sent += _sent[i] ? 1 : 0;
            _transports[i].CountBatchResult(_sent[i], datagram.Length);
            _targets[i] = null!;
            _transports[i] = null!;
        }

        Count = 0;
        _listener = null;
        return sent;
    }

    /// <summary>Empties the batch without sending (the datagram could not be prepared); each reader counts a send error.</summary>
    public void Discard()
    {
        for (int i = 0; i < Count; i++)
        {
            _transports[i].CountBatchResult(false, 0);
            _targets[i] = null!;
            _transports[i] = null!;
        }

        Count = 0;
        _listener = null;
    }

    private void SendMany(Socket socket, ReadOnlySpan<byte> datagram, int count)
    {
        EnsureNativeCapacity(count);
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            nint fd = socket.SafeHandle.DangerousGetHandle();
            fixed (byte* data = datagram)
            {
                var iov = new IoVec { Base = data, Length = (nuint)datagram.Length };
                for (int i = 0; i < count; i++)
                {
                    var address = _targets[i].Buffer.Span[.._targets[i].Size];
                    byte* slot = _addresses + (i * AddressSlot);
                    address.CopyTo(new Span<byte>(slot, AddressSlot));
                    _messages[i] = new MMsgHdr { Header = new MsgHdr { Name = slot, NameLength = (uint)address.Length, Iov = &iov, IovLength = 1 } };
                }

                int next = 0;
                while (next < count)
                {
                    int result = SendMmsg(fd, _messages + next, (uint)(count - next), MsgDontWait);
                    if (result < 0 && Marshal.GetLastPInvokeError() == 38 /* ENOSYS */)
                    {
                        _sendmmsgMissing = true;
                        SendOneByOne(socket, datagram, next, count);
                        return;
                    }

                    for (int i = 0; i < result; i++)
                    {
                        _sent[next + i] = true;
                    }

                    // A failure stops the call at that message (EAGAIN on a full buffer, or a dead reader's ICMP
                    // error): that one datagram is dropped, the rest still go.
                    next += Math.Max(result, 0) + (result < count - next ? 1 : 0);
                }
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _sendmmsgMissing = true;
            SendOneByOne(socket, datagram, 0, count);
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private void SendOneByOne(Socket socket, ReadOnlySpan<byte> datagram, int from, int count)
    {
        for (int i = from; i < count; i++)
        {
            try
            {
                socket.SendTo(datagram, SocketFlags.None, _targets[i]);
                _sent[i] = true;
            }
            catch (SocketException)
            {
                // Dropped, as UDP drops.
            }
        }
    }

    private void EnsureNativeCapacity(int count)
    {
        if (count <= _capacity)
        {
            return;
        }

        int capacity = Math.Max(count, Math.Max(64, _capacity * 2));
        _messages = (MMsgHdr*)NativeMemory.Realloc(_messages, (nuint)(capacity * sizeof(MMsgHdr)));
        _addresses = (byte*)NativeMemory.Realloc(_addresses, (nuint)(capacity * AddressSlot));
        _capacity = capacity;
    }

    /// <summary>Frees the native arrays (a thread's batch lives as long as its thread).</summary>
    public void Dispose()
    {
        NativeMemory.Free(_messages);
        NativeMemory.Free(_addresses);
        _messages = null;
        _addresses = null;
        _capacity = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native arrays of a batch whose thread ended.</summary>
    ~UdpSendBatch()
    {
        NativeMemory.Free(_messages);
        NativeMemory.Free(_addresses);
    }

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMmsg(nint socket, MMsgHdr* messages, uint count, int flags);

    // struct iovec, struct msghdr and struct mmsghdr as in <sys/uio.h> and <sys/socket.h> (LP64).
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
