using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // Measurement routines shared by the suites that print figures (threads,
    // primitives, bench): each runs the real operation on real threads and
    // returns what it measured; the suites assert and print.
    internal static unsafe class Measure
    {
        // --- periodic wake-up latency (cyclictest style) ---------------------

        internal static long[] Latencies;
        private static long periodNs;

        // Prepares `releases` releases every `period` ns for PeriodicBody.
        internal static void PrepareWakeups(int releases, long period)
        {
            Latencies = new long[releases];
            periodNs = period;
        }

        // Thread body: sleep until each release time, record how late it woke.
        internal static void PeriodicBody(object arg)
        {
            long next = Machine.Now() + periodNs;
            for (int i = 0; i < Latencies.Length; i++)
            {
                Threads.SleepUntil(next);
                Latencies[i] = Machine.Now() - next;
                next += periodNs;
            }
        }

        // Min, mean and max of Latencies; false (with the release and its
        // value) when a release woke early.
        internal static bool SummarizeWakeups(out long min, out long mean, out long max, out int early)
        {
            min = long.MaxValue; max = 0; mean = 0; early = -1;
            long sum = 0;
            for (int i = 0; i < Latencies.Length; i++)
            {
                long l = Latencies[i];
                if (l < 0) { early = i; return false; }
                if (l < min) min = l;
                if (l > max) max = l;
                sum += l;
            }
            mean = sum / Latencies.Length;
            return true;
        }

        // --- semaphore ping-pong ------------------------------------------------

        private static Semaphore ping, pong;
        private static int pingRounds;

        private static void Ponger(object o)
        {
            for (int i = 0; i < pingRounds; i++) { Blocking.Obtain(ping, Timeout.Forever); Blocking.Release(pong); }
        }

        // The calling thread and a ponger at `pongerPriority` hand a token
        // back and forth through two semaphores `rounds` times; returns ns
        // per round trip and the switches made meanwhile.
        internal static long SemaphorePingPong(int rounds, int pongerPriority, out long switches)
        {
            pingRounds = rounds;
            ping = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            pong = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread p = Threads.Spawn("ponger", &Ponger, null, pongerPriority);
            long sw = Scheduling.Switches, t0 = Machine.Now();
            for (int i = 0; i < rounds; i++) { Blocking.Release(ping); Blocking.Obtain(pong, Timeout.Forever); }
            long d = Machine.Now() - t0;
            switches = Scheduling.Switches - sw;
            Threads.Join(p);
            return d / rounds;
        }
    }
}
