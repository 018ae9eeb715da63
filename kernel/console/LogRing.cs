namespace Osprey.Kernel.Console
{
    // The log's ring of finished records, preallocated: Slots records of at
    // most SlotChars characters each, oldest first. A record is a whole line
    // (Newline set) or a part of one (a line longer than a slot, or a
    // line's start before a split layout); Serial, Screen and Host say
    // which consoles show it. Writers append, the one draining CPU peeks at the
    // oldest record, writes it out and consumes it; the slot is reused only
    // after that. A full ring refuses the record and counts the line as
    // dropped; the next record that fits is preceded by the notice
    // "osprey: log: N lines dropped" (on both consoles).
    //
    // Portable and lock-free in itself: the kernel calls every method with
    // Log.ConsoleLock held (kernel/core/Log.cs); the host tests run it as is.
    // Appending copies at most SlotChars characters (plus a notice), so a
    // hold of the lock around it is bounded. Nothing allocates after the
    // constructor.
    internal sealed class LogRing
    {
        // Host: COM1 whatever console= says (the trace dump, for the host).
        internal const int Serial = 1, Screen = 2, Newline = 4, Host = 8;

        private readonly char[] text;
        private readonly int[] lengths;
        private readonly int[] flags;
        private readonly int slots;
        private readonly int slotChars;
        private long head;            // records appended (next slot: head % slots)
        private long tail;            // records consumed (oldest: tail % slots)
        private long dropped;         // lines refused since the last notice
        private long droppedTotal;

        internal LogRing(int slots, int slotChars)
        {
            this.slots = slots;
            this.slotChars = slotChars;
            text = new char[slots * slotChars];
            lengths = new int[slots];
            flags = new int[slots];
        }

        internal int SlotChars { get { return slotChars; } }
        internal int Capacity { get { return slots; } }
        internal int Count { get { return (int)(head - tail); } }
        internal bool Full { get { return head - tail >= slots; } }
        internal bool Empty { get { return head == tail; } }
        internal long Dropped { get { return droppedTotal; } }
        internal long Appended { get { return head; } }
        internal char[] Text { get { return text; } }

        // Appends source[start .. start+length) as one record (length at most
        // SlotChars). False when the ring is full: the record is refused and
        // counted (a line: the Newline records other than a split line's
        // screen-only twin).
        internal bool Append(char[] source, int start, int length, int recordFlags)
        {
            if (!MakeRoom(recordFlags)) return false;
            int slot = (int)(head % slots), at = slot * slotChars;
            if (length > slotChars) length = slotChars;
            for (int i = 0; i < length; i++) text[at + i] = source[start + i];
            Commit(slot, length, recordFlags);
            return true;
        }

        internal bool Append(string source, int start, int length, int recordFlags)
        {
            if (!MakeRoom(recordFlags)) return false;
            int slot = (int)(head % slots), at = slot * slotChars;
            if (length > slotChars) length = slotChars;
            for (int i = 0; i < length; i++) text[at + i] = source[start + i];
            Commit(slot, length, recordFlags);
            return true;
        }

        // The oldest record: its characters are Text[offset .. offset+length).
        // They stay there until Consume.
        internal bool Peek(out int offset, out int length, out int recordFlags)
        {
            if (head == tail) { offset = 0; length = 0; recordFlags = 0; return false; }
            int slot = (int)(tail % slots);
            offset = slot * slotChars;
            length = lengths[slot];
            recordFlags = flags[slot];
            return true;
        }

        internal void Consume() { if (tail != head) tail++; }

        // Room for the record, and first for a pending drop notice; false
        // (the record dropped and counted) without it.
        private bool MakeRoom(int recordFlags)
        {
            long need = dropped > 0 ? 2 : 1;
            if (head - tail + need > slots)
            {
                if ((recordFlags & Newline) != 0 && recordFlags != (Screen | Newline)) { dropped++; droppedTotal++; }
                return false;
            }
            if (dropped > 0) AppendNotice();
            return true;
        }

        // "osprey: log: N lines dropped" into the next slot.
        private void AppendNotice()
        {
            int slot = (int)(head % slots), at = slot * slotChars, n = 0;
            n = Put(at, n, "osprey: log: ");
            long v = dropped;
            int start = n;
            do { text[at + n++] = (char)('0' + (int)(v % 10)); v /= 10; } while (v != 0 && n < slotChars);
            for (int i = start, j = n - 1; i < j; i++, j--) { char c = text[at + i]; text[at + i] = text[at + j]; text[at + j] = c; }
            n = Put(at, n, " lines dropped");
            dropped = 0;
            Commit(slot, n, Serial | Screen | Newline);
        }

        private int Put(int at, int n, string s)
        {
            for (int i = 0; i < s.Length && n < slotChars; i++) text[at + n++] = s[i];
            return n;
        }

        private void Commit(int slot, int length, int recordFlags)
        {
            lengths[slot] = length;
            flags[slot] = recordFlags;
            head++;
        }
    }
}
