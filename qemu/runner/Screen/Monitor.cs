// A client of QEMU's human monitor on a unix socket (-monitor unix:PATH,server,nowait):
// sends one command line and reads up to the next "(qemu) " prompt.
using System.Net.Sockets;
using System.Text;

namespace Osprey.QemuRunner.Screen;

public sealed class QemuMonitor : IDisposable
{
    const string Prompt = "(qemu) ";
    readonly Socket _socket;
    readonly StringBuilder _pending = new();

    QemuMonitor(Socket s) { _socket = s; }

    /// <summary>Connect, retrying while QEMU has not yet made the socket; null when
    /// it did not within <paramref name="waitSeconds"/>.</summary>
    public static QemuMonitor? Connect(string path, double waitSeconds)
    {
        var until = DateTime.UtcNow.AddSeconds(waitSeconds);
        while (true)
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                s.Connect(new UnixDomainSocketEndPoint(path));
                s.ReceiveTimeout = 10000;
                var m = new QemuMonitor(s);
                m.ReadToPrompt();
                return m;
            }
            catch (SocketException)
            {
                s.Dispose();
                if (DateTime.UtcNow > until) return null;
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Run one monitor command; returns its output (the echo and the prompt removed).
    /// Throws SocketException when QEMU has gone.</summary>
    public string Command(string line)
    {
        _socket.Send(Encoding.ASCII.GetBytes(line + "\n"));
        return ReadToPrompt();
    }

    string ReadToPrompt()
    {
        var buf = new byte[4096];
        while (true)
        {
            string have = _pending.ToString();
            int p = have.IndexOf(Prompt, StringComparison.Ordinal);
            if (p >= 0)
            {
                _pending.Remove(0, p + Prompt.Length);
                return have[..p];
            }
            int n = _socket.Receive(buf);
            if (n == 0) throw new SocketException((int)SocketError.ConnectionReset);
            _pending.Append(Encoding.ASCII.GetString(buf, 0, n));
        }
    }

    public void Dispose() => _socket.Dispose();
}
