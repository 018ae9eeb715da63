using Osprey.Kernel.Arch;
using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Per-CPU interrupt counts and fault catching (the arch suite): each
    // CPU counts the interrupts it takes in its own block, and catches its
    // own expected faults, so two CPUs never mix them.
    internal static unsafe class PerCpuArchTests
    {
        private const long WaitNs = 2000000000;
        private const int Pings = 10;

        // CPU 0 pings CPU 1 (its answer comes back): the ping vector is
        // counted on CPU 1 only, the answer's on CPU 0 only, the sums add
        // up. One CPU: a self-IPI is counted on CPU 0. Also prints every
        // CPU's timer interrupts, per CPU and summed.
        internal static void InterruptCounts(Check t)
        {
            int n = PerCpu.Count;
            string timers = "";
            long sum = 0;
            for (int i = 0; i < n; i++) { long c = Machine.InterruptCount(i, Machine.TimerVector); sum += c; timers += " cpu " + i + " " + c + ";"; }
            long all = Machine.InterruptCount(Machine.TimerVector);
            t.Note("timer interrupts:" + timers + " summed " + all);
            t.True(all >= sum, "the sum over CPUs covers each CPU's count (read a moment later)");
            if (!Smp.Smp.Online(1))
            {
                long before = Machine.InterruptCount(0, Remote.RescheduleVector);
                Machine.RaiseInterrupt(Remote.RescheduleVector);
                long until = Machine.Now() + 10000000;
                while (Machine.InterruptCount(0, Remote.RescheduleVector) == before && Machine.Now() < until) Machine.SpinWaitHint();
                t.Equal(before + 1, Machine.InterruptCount(0, Remote.RescheduleVector), "one CPU: a self-IPI counted on cpu 0");
                return;
            }
            long ping0 = Machine.InterruptCount(0, Smp.Smp.PingVector), ping1 = Machine.InterruptCount(1, Smp.Smp.PingVector);
            long pong0 = Machine.InterruptCount(0, Smp.Smp.PongVector), pong1 = Machine.InterruptCount(1, Smp.Smp.PongVector);
            long pingAll = Machine.InterruptCount(Smp.Smp.PingVector), pongAll = Machine.InterruptCount(Smp.Smp.PongVector);
            Processor p = Smp.Smp.Cpus[1];
            int answered = 0;
            for (int r = 0; r < Pings; r++)
            {
                int before = Smp.Smp.PongsReceived;
                string error;
                if (!Machine.SendIpi(p.ApicId, Smp.Smp.PingVector, out error)) break;
                long sent = Machine.Now();
                while (Smp.Smp.PongsReceived == before && Machine.Now() - sent < WaitNs) Machine.SpinWaitHint();
                if (Smp.Smp.PongsReceived != before) answered++;
            }
            t.Equal(Pings, answered, "pings answered");
            t.Equal(Pings, Machine.InterruptCount(1, Smp.Smp.PingVector) - ping1, "pings counted on cpu 1");
            t.Equal(0, Machine.InterruptCount(0, Smp.Smp.PingVector) - ping0, "pings counted on cpu 0");
            t.Equal(Pings, Machine.InterruptCount(0, Smp.Smp.PongVector) - pong0, "answers counted on cpu 0");
            t.Equal(0, Machine.InterruptCount(1, Smp.Smp.PongVector) - pong1, "answers counted on cpu 1");
            t.Equal(Pings, Machine.InterruptCount(Smp.Smp.PingVector) - pingAll, "pings summed over CPUs");
            t.Equal(Pings, Machine.InterruptCount(Smp.Smp.PongVector) - pongAll, "answers summed over CPUs");
        }

        // --- fault catching on two CPUs at once ------------------------------

        private const ulong AddressOn0 = 0x18, AddressOn1 = 0x28;    // in the unmapped page 0
        private static volatile int armed0, armed1, done0, done1;
        private static bool faulted1, timedOut1, timedOut0;
        private static ulong vector1, cr2_1;
        private static long caught1;

        private const int Armed0 = 0, Armed1 = 1, Done0 = 2, Done1 = 3;
        private static int Flag(int which)
        {
            switch (which)
            {
                case Armed0: return armed0;
                case Armed1: return armed1;
                case Done0: return done0;
                default: return done1;
            }
        }

        private static bool WaitFor(int which)
        {
            long start = Machine.Now();
            while (Flag(which) == 0)
            {
                if (Machine.Now() - start > WaitNs) return false;
                Machine.SpinWaitHint();
            }
            return true;
        }

        // Under CPU 1's catch: wait until CPU 0 caught its fault, then fault.
        private static void BodyOn1(ulong address)
        {
            armed1 = 1;
            if (!WaitFor(Done0)) timedOut1 = true;
            Faults.Read64(address);
        }

        // A thread of CPU 1: once CPU 0 armed, arm its own catch (nested in
        // time inside CPU 0's) and fault in it.
        private static void Catcher(object o)
        {
            if (!WaitFor(Armed0)) timedOut1 = true;
            long before = Faults.Caught;
            faulted1 = Faults.Catch(&BodyOn1, AddressOn1);
            vector1 = Faults.LastVector;
            cr2_1 = Faults.LastCr2;
            caught1 = Faults.Caught - before;
            done1 = 1;
        }

        // Under CPU 0's catch: wait until CPU 1 armed its own, then fault.
        private static void BodyOn0(ulong address)
        {
            armed0 = 1;
            if (!WaitFor(Armed1)) timedOut0 = true;
            Faults.Read64(address);
        }

        // CPU 0 arms a catch; CPU 1 arms its own while CPU 0's is armed;
        // CPU 0 faults first, then CPU 1: each recovers through its own
        // catch (with one shared catch state, CPU 0's fault would resume on
        // CPU 1's stack), and each CPU's last fault and count are its own.
        internal static void FaultCatchPerCpu(Check t)
        {
            if (!Smp.Smp.Online(1)) { t.Skip("one CPU: nothing to overlap with"); return; }
            armed0 = armed1 = done0 = done1 = 0;
            faulted1 = timedOut0 = timedOut1 = false;
            long c0 = Faults.CaughtOn(0), c1 = Faults.CaughtOn(1);
            Thread th = Remote.SpawnOn(1, "percpu-catcher", &Catcher, null, 100);
            if (!t.True(th != null, "a thread on cpu 1")) return;
            long before = Faults.Caught;
            bool faulted0 = Faults.Catch(&BodyOn0, AddressOn0);
            ulong vector0 = Faults.LastVector, cr2_0 = Faults.LastCr2;
            long caught0 = Faults.Caught - before;
            done0 = 1;
            bool finished = WaitFor(Done1);
            t.False(timedOut0 || timedOut1, "the two catches overlapped (no wait timed out)");
            t.True(finished, "cpu 1's thread finished");
            t.True(faulted0, "cpu 0 caught its fault");
            t.Equal(14, (long)vector0, "cpu 0: a page fault");
            t.EqualHex(AddressOn0, cr2_0, "cpu 0's last fault is its own address");
            t.Equal(1, caught0, "cpu 0 counted one");
            t.True(faulted1, "cpu 1 caught its fault");
            t.Equal(14, (long)vector1, "cpu 1: a page fault");
            t.EqualHex(AddressOn1, cr2_1, "cpu 1's last fault is its own address");
            t.Equal(1, caught1, "cpu 1 counted one");
            t.Equal(1, Faults.CaughtOn(0) - c0, "cpu 0's count seen from cpu 0");
            t.Equal(1, Faults.CaughtOn(1) - c1, "cpu 1's count seen from cpu 0");
        }
    }
}
