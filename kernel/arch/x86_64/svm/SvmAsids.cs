namespace Osprey.Kernel.Arch.Svm
{
    // The guest ASIDs of one CPU. ASIDs tag the TLB entries of one CPU's
    // TLB, so each CPU hands out its own (AMD APM vol. 2, 15.16):
    // 1..min(Asids, TrackedAsids)-1, never 0 (the host's). Per ASID the
    // number of live guest cores holding it; a torn-down core gives its ASID
    // back (Free). A new core takes an unused ASID, round robin from the
    // last one taken (its first VMRUN flushes the TLB, so a previous
    // holder's entries never reach it); only when every ASID of the CPU is
    // held do two cores share one, and then each of them flushes the TLB on
    // every VMRUN while the other lives (Shared), so neither meets the
    // other's translations. A guest keeps a reference to its CPU's table:
    // the check on each VMRUN reads two instance fields (a static array
    // read costs a static-base lookup, tens of instructions per exit under
    // -icount).
    internal sealed class SvmAsids
    {
        internal const int TrackedAsids = 256;
        private readonly ushort[] users = new ushort[TrackedAsids];
        private uint next;
        // ASIDs held by more than one core.
        private int sharedCount;
        // Guards the counts (New on the creating CPU, Free on the core's own CPU).
        private SpinLock countLock;

        private static readonly SvmAsids[] ofCpu = new SvmAsids[SvmCpu.MaxCpus];

        /// <summary>CPU `cpu`'s table (made at the first guest core there; setup time).</summary>
        internal static SvmAsids Of(int cpu)
        {
            if (cpu < 0 || cpu >= SvmCpu.MaxCpus) cpu = 0;
            SvmAsids a = ofCpu[cpu];
            if (a != null) return a;
            a = new SvmAsids();
            ulong f = Machine.DisableInterrupts();
            if (ofCpu[cpu] == null) ofCpu[cpu] = a;
            a = ofCpu[cpu];
            Machine.RestoreInterrupts(f);
            return a;
        }

        // ASIDs 1..n.
        private static uint Count { get { uint a = SvmCpu.Asids < TrackedAsids ? SvmCpu.Asids : TrackedAsids; return a > 1 ? a - 1 : 1; } }

        /// <summary>An ASID for a new guest core (1..n, never 0): an unused one, else the least held.</summary>
        internal uint New()
        {
            uint n = Count;
            ulong f = countLock.Acquire();
            uint best = 1;
            int bestUsers = int.MaxValue;
            for (uint k = 0; k < n; k++)
            {
                uint a = 1 + (next + k) % n;
                if (users[a] < bestUsers) { best = a; bestUsers = users[a]; if (bestUsers == 0) break; }
            }
            users[best]++;
            if (users[best] == 2) sharedCount++;
            next = best % n;                 // the next search starts after it
            countLock.Release(f);
            return best;
        }

        /// <summary>A torn-down core's ASID back.</summary>
        internal void Free(uint asid)
        {
            if (asid == 0 || asid >= TrackedAsids) return;
            ulong f = countLock.Acquire();
            if (users[asid] > 0)
            {
                if (users[asid] == 2) sharedCount--;
                users[asid]--;
            }
            countLock.Release(f);
        }

        /// <summary>True while another live core of this CPU holds `asid` too: flush the TLB on every VMRUN.</summary>
        internal bool Shared(uint asid) { return sharedCount > 0 && users[asid] > 1; }

        /// <summary>Live cores holding an ASID of this CPU (the tests read it).</summary>
        internal int Held
        {
            get
            {
                int h = 0;
                for (int a = 1; a < TrackedAsids; a++) h += users[a];
                return h;
            }
        }
    }
}
