namespace Osprey.Kernel
{
    // A copy of one log line, taken as the log writes it: Log feeds every
    // character to the capture that is listening until a newline ends it.
    // The self-test checks use it to keep a failing test's first diagnostic
    // line for the end-of-run summary without formatting it twice. The buffer
    // is allocated with the object; adding characters allocates nothing, since
    // Log runs on interrupt and panic paths too.
    internal sealed class LineCapture
    {
        internal const int Capacity = 200;
        private readonly char[] buffer = new char[Capacity];
        private int length;
        private bool truncated;

        internal int Length { get { return length; } }
        internal bool Empty { get { return length == 0; } }

        internal void Clear() { length = 0; truncated = false; }

        // False once the line has ended (the newline itself is not kept).
        internal bool Add(char c)
        {
            if (c == '\n') return false;
            if (c == '\r') return true;
            if (length < Capacity) buffer[length++] = c;
            else truncated = true;
            return true;
        }

        // The captured line ("..." marks a line cut at the capacity).
        internal string Text()
        {
            if (length == 0) return "";
            string s = new string(buffer, 0, length);
            return truncated ? s + "..." : s;
        }
    }
}
