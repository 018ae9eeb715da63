using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // Semaphores, message queues and event flags shared by threads of
    // different CPUs (kernel/README.md, "Semaphores, queues and events
    // across CPUs"), part of the smp suite. Every object here is made on
    // CPU 0 (Blocking.New*); the waiters run on other CPUs and block on
    // their own cores.
    internal static unsafe class SmpSyncTests
    {
        private const int Priority = 100;              // more urgent than an AP's main thread
        private const long WaitNs = 2000000000;        // bounds a lost wake, far above any expected time
        private const long PokerIdleNs = 20000000000;  // a poker thread gives up after this long without a command

        private static int Cpus
        {
            get
            {
                int n = 0;
                for (int i = 0; i < Smp.Smp.Cpus.Length; i++) if (Smp.Smp.Online(i)) n = i + 1;
                return n;
            }
        }

        // Waits (spinning) until cond's object has n waiters; false after WaitNs.
        private static bool SpinUntilWaiting(WaitQueue q, int n)
        {
            long start = Machine.Now();
            while (q.Count != n)
            {
                if (Machine.Now() - start > WaitNs) return false;
                Machine.SpinWaitHint();
            }
            return true;
        }

        // ------------------------------------------------------------------
        // Wakes of a CPU 1 waiter from every kind of waker: CPU 0's thread,
        // a thread of each other CPU (CPU 1 included: the local path), an
        // interrupt handler on each CPU (CPU 0's raised by a thread of CPU 1).

        private const int ModeSemaphore = 0, ModeQueue = 1, ModeEvents = 2;
        private const int MessageBytes = 16;
        private static int mode;
        private static Semaphore sem, waiterDone;
        private static MessageQueue queue;
        private static EventFlags events;
        private static Semaphore[] go;                  // per CPU k >= 1: its poker thread's command
        private static volatile int pokeVia;            // the poker: -1 poke itself, else raise the poke in an interrupt on this CPU
        private static volatile bool stopPokers;
        private static bool[] pokerLive;               // per CPU: its poker thread has not returned yet
        private static byte[] pokeMessage;
        private static uint pokeMask;
        private static SyncStatus pokeStatus;
        private static SyncStatus[] statuses;
        private static int[] wokeOn, lengths, firstBytes;
        private static uint[] gotFlags;
        private static bool[] contentOk;
        private static int rounds;

        private static byte Pattern(int round, int i) { return (byte)(round * 7 + i * 13 + 1); }

        // The poke of the current round, in the context it was raised in (a
        // thread, or an interrupt handler: NoWait only).
        private static void Poke(object unused)
        {
            if (mode == ModeSemaphore) pokeStatus = Blocking.Release(sem);
            else if (mode == ModeQueue) pokeStatus = Blocking.Send(queue, pokeMessage, MessageBytes, Timeout.NoWait);
            else pokeStatus = Blocking.SetEvents(events, pokeMask);
        }

        private static void Poker(object o)
        {
            int me = Machine.CpuIndex;
            while (Blocking.Obtain(go[me], PokerIdleNs) == SyncStatus.Successful && !stopPokers)
            {
                int via = pokeVia;
                if (via < 0) Poke(null);
                else if (!Remote.RunOn(via, &Poke, null)) pokeStatus = SyncStatus.InvalidCaller;
                Blocking.Release(waiterDone);   // the poke was made
            }
            pokerLive[me] = false;
        }

        private static void Waiter(object o)
        {
            byte[] buffer = new byte[MessageBytes];
            for (int r = 0; r < rounds; r++)
            {
                SyncStatus s;
                if (mode == ModeSemaphore) s = Blocking.Obtain(sem, WaitNs);
                else if (mode == ModeQueue)
                {
                    int length;
                    for (int i = 0; i < MessageBytes; i++) buffer[i] = 0;
                    s = Blocking.Receive(queue, buffer, WaitNs, out length);
                    lengths[r] = length;
                    firstBytes[r] = buffer[0] | (buffer[1] << 8);
                    bool ok = length == MessageBytes;
                    for (int i = 0; i < MessageBytes && ok; i++) ok = buffer[i] == Pattern(r, i);
                    contentOk[r] = ok;
                }
                else
                {
                    uint got;
                    if (r % 2 == 0) s = Blocking.WaitEvents(events, 0x0F, EventMode.Any, true, WaitNs, out got);
                    else s = Blocking.WaitEvents(events, 0x30, EventMode.All, true, WaitNs, out got);
                    gotFlags[r] = got;
                }
                statuses[r] = s;
                wokeOn[r] = Machine.CpuIndex;
                Blocking.Release(waiterDone);
            }
        }

        private static WaitQueue WaitersOf()
        {
            if (mode == ModeSemaphore) return sem.Waiters;
            if (mode == ModeQueue) return queue.Receivers;
            return events.Waiters;
        }

        // The wakers of round r: 0 CPU 0's thread; 1..n-1 CPU k's poker
        // thread; n..2n-2 an interrupt on CPU k (1..n-1), raised by CPU 0;
        // 2n-1 an interrupt on CPU 0, raised by CPU 1's poker.
        private static int Kinds(int n) { return 2 * n; }

        private static string KindName(int kind, int n)
        {
            if (kind == 0) return "cpu 0's thread";
            if (kind < n) return "a thread of cpu " + kind;
            if (kind < 2 * n - 1) return "an interrupt on cpu " + (kind - n + 1);
            return "an interrupt on cpu 0";
        }

        private static void WakeupsAcrossCpus(Check t, int m, string what)
        {
            int n = Cpus;
            if (n < 2) { t.Skip("one CPU"); return; }
            mode = m;
            int kinds = Kinds(n);
            rounds = 2 * kinds;
            statuses = new SyncStatus[rounds];
            wokeOn = new int[rounds];
            lengths = new int[rounds];
            firstBytes = new int[rounds];
            gotFlags = new uint[rounds];
            contentOk = new bool[rounds];
            pokeMessage = new byte[MessageBytes];
            sem = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            queue = Blocking.NewMessageQueue(MessageBytes, 2, WaitDiscipline.Fifo);
            events = Blocking.NewEventFlags(WaitDiscipline.Fifo);
            waiterDone = Blocking.NewSemaphore(0, 1000, WaitDiscipline.Priority);
            go = new Semaphore[n];
            stopPokers = false;
            pokerLive = new bool[n];
            for (int k = 1; k < n; k++)
            {
                pokerLive[k] = true;
                go[k] = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
                if (!t.True(Remote.SpawnOn(k, "xsync-poker", &Poker, null, Priority - 1) != null, "a poker thread on cpu " + k)) return;
            }
            if (!t.True(Remote.SpawnOn(1, "xsync-waiter", &Waiter, null, Priority) != null, "a waiter thread on cpu 1")) return;
            int pokesOk = 0, notEarly = 0, allRounds = 0;
            long latencySum = 0;
            for (int r = 0; r < rounds; r++)
            {
                int kind = r % kinds;
                if (!t.True(SpinUntilWaiting(WaitersOf(), 1), "round " + r + ": the cpu 1 thread waits on " + what)) break;
                for (int i = 0; i < MessageBytes; i++) pokeMessage[i] = Pattern(r, i);
                pokeMask = r % 2 == 0 ? 1u << ((r / 2) % 4) : 0x20u;
                pokeStatus = SyncStatus.Blocked;
                if (m == ModeEvents && r % 2 == 1)
                {
                    // Half of "all": the thread must keep waiting.
                    allRounds++;
                    Blocking.SetEvents(events, 0x10);
                    long until = Machine.Now() + 200000;
                    while (Machine.Now() < until) Machine.SpinWaitHint();
                    if (events.WaitingCount == 1) notEarly++;
                }
                long posted = Machine.Now();
                if (kind == 0) Poke(null);
                else if (kind < n) { pokeVia = -1; Blocking.Release(go[kind]); }
                else if (kind < 2 * n - 1) t.True(Remote.RunOn(kind - n + 1, &Poke, null), "round " + r + ": the interrupt on cpu " + (kind - n + 1) + " ran");
                else { pokeVia = 0; Blocking.Release(go[1]); }
                // The waiter's signal, and for a poker thread its own.
                int signals = kind > 0 && (kind < n || kind == 2 * n - 1) ? 2 : 1;
                bool done = true;
                for (int s = 0; s < signals; s++) done &= Blocking.Obtain(waiterDone, WaitNs) == SyncStatus.Successful;
                latencySum += Machine.Now() - posted;
                if (!t.True(done, "round " + r + ": woken by " + KindName(kind, n))) break;
                if (pokeStatus == SyncStatus.Successful) pokesOk++;
                else t.Fail("round " + r + ": " + KindName(kind, n) + "'s poke returned " + (int)pokeStatus);
            }
            // The pokers return before the next test reuses the statics.
            stopPokers = true;
            for (int k = 1; k < n; k++) Blocking.Release(go[k]);
            long stopStart = Machine.Now();
            for (int k = 1; k < n; k++)
                while (pokerLive[k] && Machine.Now() - stopStart < WaitNs) Machine.SpinWaitHint();
            for (int k = 1; k < n; k++) t.False(pokerLive[k], "the poker of cpu " + k + " returned");
            t.Equal(rounds, pokesOk, "pokes accepted (" + kinds + " kinds of waker, twice each)");
            int ok = 0, onOne = 0;
            for (int r = 0; r < rounds; r++)
            {
                if (statuses[r] == SyncStatus.Successful) ok++;
                else t.Fail("round " + r + " (" + KindName(r % kinds, n) + "): the wait ended with " + (int)statuses[r]);
                if (wokeOn[r] == 1) onOne++;
                if (m == ModeQueue && !contentOk[r]) t.Fail("round " + r + ": message of " + lengths[r] + " bytes differs from what was sent (first bytes " + firstBytes[r] + ", expected " + (Pattern(r, 0) | (Pattern(r, 1) << 8)) + ")");
                if (m == ModeEvents)
                {
                    uint expected = r % 2 == 0 ? 1u << ((r / 2) % 4) : 0x30u;
                    if (gotFlags[r] != expected) t.Fail("round " + r + ": got flags 0x" + gotFlags[r] + ", expected " + expected);
                }
            }
            t.Equal(rounds, ok, "waits that ended Successful");
            t.Equal(rounds, onOne, "waits that returned on cpu 1");
            t.Equal(0, WaitersOf().Count, "nobody waits at the end");
            if (m == ModeSemaphore) t.Equal(0, sem.Count, "no unit left");
            if (m == ModeQueue) t.Equal(0, queue.Count, "no message left");
            if (m == ModeEvents)
            {
                t.Equal(allRounds, notEarly, "'all' waits that kept waiting with half of their flags");
                t.Equal(0, events.Flags, "every flag consumed (clear on exit)");
            }
            t.Note(rounds + " wakes of a cpu 1 thread from " + kinds + " kinds of waker, mean " + latencySum / rounds + " ns from poke to its signal");
        }

        internal static void SemaphoreWakeups(Check t) { WakeupsAcrossCpus(t, ModeSemaphore, "the semaphore"); }
        internal static void QueueWakeups(Check t) { WakeupsAcrossCpus(t, ModeQueue, "the message queue"); }
        internal static void EventWakeups(Check t) { WakeupsAcrossCpus(t, ModeEvents, "the event flags"); }

        // ------------------------------------------------------------------
        // Timeouts on the waiters' CPUs racing releases from CPU 0 (a thread,
        // and interrupts on the waiters' CPUs): every unit released is
        // obtained exactly once or still counted. Bounded by releases (and,
        // under plain emulation, by time: a loaded host stalls vCPUs, a
        // spinning lock holder's included), then the waiters are stopped.

        private static Semaphore raced;
        private static Semaphore racersDone;
        private static Thread[] racers;
        private static int[] raceOk, raceTimeout, raceOther;
        private static volatile bool raceStop;
        private static int RaceReleases { get { return KernelMain.Options.ExactClock ? 400 : 2000; } }
        private const long RaceBudgetNs = 5000000000;
        private static int racedFromIrq;

        private static void Nothing(object unused) { }

        private static void ReleaseRaced(object unused) { if (Blocking.Release(raced) == SyncStatus.Successful) racedFromIrq++; }

        private static void Racer(object o)
        {
            int me = Machine.CpuIndex;
            for (int i = 0; !raceStop; i++)
            {
                // 20..95 us: about the release spacing, so both outcomes occur.
                SyncStatus s = Blocking.Obtain(raced, 20000 + (i % 4) * 25000);
                if (s == SyncStatus.Successful) raceOk[me]++;
                else if (s == SyncStatus.Timeout) raceTimeout[me]++;
                else raceOther[me]++;
            }
            Blocking.Release(racersDone);
        }

        internal static void TimeoutsRaceReleases(Check t)
        {
            int n = Cpus;
            if (n < 2) { t.Skip("one CPU"); return; }
            raced = Blocking.NewSemaphore(0, 1 << 30, WaitDiscipline.Fifo);
            racersDone = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            raceOk = new int[n]; raceTimeout = new int[n]; raceOther = new int[n];
            racedFromIrq = 0;
            raceStop = false;
            racers = new Thread[n];
            for (int k = 1; k < n; k++)
                if (!t.True((racers[k] = Remote.SpawnOn(k, "xsync-racer", &Racer, null, Priority)) != null, "a racing waiter on cpu " + k)) return;
            int fromThread = 0, iteration = 0, runOnLate = 0;
            long start = Machine.Now();
            for (; iteration < RaceReleases; iteration++)
            {
                if (!KernelMain.Options.ExactClock && Machine.Now() - start > RaceBudgetNs) break;
                // Every 8th unit from an interrupt on a waiter's CPU (that
                // core's own path), the others from this thread (handed to
                // the waiter's CPU).
                if (iteration % 8 == 7) { if (!Remote.RunOn(1 + (iteration / 8) % (n - 1), &ReleaseRaced, null)) runOnLate++; }
                else if (Blocking.Release(raced) == SyncStatus.Successful) fromThread++;
                long until = Machine.Now() + 40000;
                while (Machine.Now() < until) Machine.SpinWaitHint();
            }
            raceStop = true;
            int finished = 0;
            while (finished < n - 1 && Blocking.Obtain(racersDone, 10 * WaitNs) == SyncStatus.Successful) finished++;
            // A call that missed its 1 s may still be queued: let it run.
            for (int k = 1; k < n; k++) Remote.RunOn(k, &Nothing, null);
            long took = Machine.Now() - start;
            int ok = 0, timeouts = 0, other = 0;
            for (int k = 1; k < n; k++) { ok += raceOk[k]; timeouts += raceTimeout[k]; other += raceOther[k]; }
            int total = fromThread + racedFromIrq;
            t.Note((n - 1) + " waiter(s) with 20..95 us timeouts, " + iteration + " releases 40 us apart in " + took + " ns: " + ok + " obtained, " + timeouts + " timed out; "
                + total + " units released (" + racedFromIrq + " from interrupts), " + raced.Count + " left" + (runOnLate > 0 ? "; " + runOnLate + " interrupt releases ran after 1 s" : ""));
            t.Equal(n - 1, finished, "waiters that finished");
            t.Equal(0, other, "waits that ended with neither Successful nor Timeout");
            t.Equal(total, ok + raced.Count, "units released = units obtained + units left (none lost, none doubled)");
            t.Equal(0, raced.WaitingCount, "nobody waits at the end");
            t.True(ok > 0, "some waits were satisfied by a release from another CPU");
            t.True(timeouts > 0, "some waits timed out on their own CPU");
        }

        // ------------------------------------------------------------------
        // Message queue ping-pong: CPU 0 sends, a thread of the last CPU
        // answers with a transformed copy; contents checked both ways.

        private const int PingBytes = 32;
        private static MessageQueue pingQ, pongQ;
        private static int PingRounds { get { return KernelMain.Options.ExactClock ? 200 : 1000; } }
        private static volatile int pongBad, pongDone;

        private static byte PingByte(int r, int i) { return (byte)(r * 31 + i * 5 + 3); }
        private static int PingLength(int r) { return 8 + r % (PingBytes - 7); }

        private static void QueuePonger(object o)
        {
            byte[] b = new byte[PingBytes];
            for (int r = 0; r < PingRounds; r++)
            {
                int length;
                if (Blocking.Receive(pingQ, b, WaitNs, out length) != SyncStatus.Successful) { pongBad++; return; }
                bool ok = length == PingLength(r);
                for (int i = 0; i < length && ok; i++) ok = b[i] == PingByte(r, i);
                if (!ok) pongBad++;
                for (int i = 0; i < length; i++) b[i] = (byte)~b[i];
                if (Blocking.Send(pongQ, b, length, WaitNs) != SyncStatus.Successful) { pongBad++; return; }
                pongDone++;
            }
        }

        internal static void QueuePingPong(Check t)
        {
            int n = Cpus;
            if (n < 2) { t.Skip("one CPU"); return; }
            pingQ = Blocking.NewMessageQueue(PingBytes, 1, WaitDiscipline.Fifo);
            pongQ = Blocking.NewMessageQueue(PingBytes, 1, WaitDiscipline.Fifo);
            pongBad = 0; pongDone = 0;
            if (!t.True(Remote.SpawnOn(n - 1, "xsync-ponger", &QueuePonger, null, Priority) != null, "a ponger on cpu " + (n - 1))) return;
            byte[] m = new byte[PingBytes], back = new byte[PingBytes];
            int good = 0, done = 0;
            long start = Machine.Now();
            for (int r = 0; r < PingRounds; r++)
            {
                int len = PingLength(r);
                for (int i = 0; i < len; i++) m[i] = PingByte(r, i);
                if (Blocking.Send(pingQ, m, len, WaitNs) != SyncStatus.Successful) break;
                int got;
                if (Blocking.Receive(pongQ, back, WaitNs, out got) != SyncStatus.Successful) break;
                done++;
                bool ok = got == len;
                for (int i = 0; i < got && ok; i++) ok = back[i] == (byte)~PingByte(r, i);
                if (ok) good++;
            }
            long took = Machine.Now() - start;
            // The ponger counts an answer after its send: CPU 0 may receive
            // the last one before that CPU counts it (a host stall of its
            // vCPU between the two), so wait for its count.
            long counted = Machine.Now();
            while (pongDone + pongBad < done && Machine.Now() - counted < WaitNs) Machine.SpinWaitHint();
            long per = done > 0 ? took / done : 0;
            t.Note(done + " round trips with cpu " + (n - 1) + " in " + took + " ns: " + per + " ns each, " + (took > 0 ? (long)done * 1000000000L / took : 0) + " per second");
            t.Bench("smp_queue_round_trip", per, "ns");
            t.Equal(PingRounds, done, "round trips completed");
            t.Equal(PingRounds, good, "answers with the expected contents");
            t.Equal(PingRounds, pongDone, "messages answered on cpu " + (n - 1));
            t.Equal(0, pongBad, "messages cpu " + (n - 1) + " found wrong or failed to move");
            t.Equal(0, pingQ.Count + pongQ.Count, "no message left");
        }

        // ------------------------------------------------------------------
        // Every CPU hammers two shared semaphores and a queue at once:
        //  - `tokens` (Tokens units): obtain (with a timeout) then release;
        //  - `flow`: each release is one unit; obtains with a timeout;
        //  - `mail`: messages (sender CPU, sequence) sent and received with
        //    timeouts by everybody.
        // Afterwards: tokens are all back; flow's units released = obtained
        // + left; every message sent Successful was received exactly once
        // (drained at the end included), none that timed out was.

        private const int Tokens = 2, MailSize = 8, MaxSeq = 4096;
        private static Semaphore tokens, flow, stressDone;
        private static MessageQueue mail;
        private static int[] flowReleased, flowObtained, tokenHeld, sent, stressOther;
        private static byte[][] sentState;      // [cpu][seq]: 1 sent, 2 send timed out
        private static byte[][] seen;           // [cpu][seq]: times received
        private static int StressOps { get { return KernelMain.Options.ExactClock ? 300 : 100000; } }
        private static long StressNs { get { return KernelMain.Options.ExactClock ? long.MaxValue : 2000000000; } }
        private static long stressEnd;
        private static volatile int badMessages;

        private static void Record(byte[] b)
        {
            int from = b[0], seq = b[1] | (b[2] << 8);
            if (from >= seen.Length || seq >= MaxSeq || b[3] != (byte)(from ^ seq)) { badMessages++; return; }
            seen[from][seq]++;
        }

        private static void Hammer(object o)
        {
            int me = Machine.CpuIndex;
            byte[] m = new byte[MailSize], r = new byte[MailSize];
            int seq = 0;
            for (int i = 0; i < StressOps && Machine.Now() < stressEnd; i++)
            {
                long to = 10000 + (i % 5) * 20000;
                SyncStatus s = Blocking.Obtain(tokens, to);
                if (s == SyncStatus.Successful)
                {
                    tokenHeld[me]++;
                    if (Blocking.Release(tokens) != SyncStatus.Successful) stressOther[me]++;
                }
                else if (s != SyncStatus.Timeout) stressOther[me]++;
                if (i % 2 == 0)
                {
                    if (Blocking.Release(flow) == SyncStatus.Successful) flowReleased[me]++;
                    else stressOther[me]++;
                }
                s = Blocking.Obtain(flow, to);
                if (s == SyncStatus.Successful) flowObtained[me]++;
                else if (s != SyncStatus.Timeout) stressOther[me]++;
                if (seq < MaxSeq)
                {
                    m[0] = (byte)me; m[1] = (byte)seq; m[2] = (byte)(seq >> 8); m[3] = (byte)(me ^ seq);
                    s = Blocking.Send(mail, m, MailSize, to);
                    if (s == SyncStatus.Successful) { sentState[me][seq] = 1; sent[me]++; }
                    else if (s == SyncStatus.Timeout) sentState[me][seq] = 2;
                    else stressOther[me]++;
                    seq++;
                }
                int len;
                s = Blocking.Receive(mail, r, to, out len);
                if (s == SyncStatus.Successful) Record(r);
                else if (s != SyncStatus.Timeout) stressOther[me]++;
            }
            Blocking.Release(stressDone);
        }

        internal static void Stress(Check t)
        {
            int n = Cpus;
            if (n < 2) { t.Skip("one CPU"); return; }
            tokens = Blocking.NewSemaphore(Tokens, Tokens, WaitDiscipline.Priority);
            flow = Blocking.NewSemaphore(0, 1 << 30, WaitDiscipline.Fifo);
            stressDone = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            mail = Blocking.NewMessageQueue(MailSize, 4, WaitDiscipline.Priority);
            flowReleased = new int[n]; flowObtained = new int[n]; tokenHeld = new int[n]; sent = new int[n]; stressOther = new int[n];
            sentState = new byte[n][]; seen = new byte[n][];
            for (int k = 0; k < n; k++) { sentState[k] = new byte[MaxSeq]; seen[k] = new byte[MaxSeq]; }
            badMessages = 0;
            long start = Machine.Now();
            stressEnd = StressNs == long.MaxValue ? long.MaxValue : start + StressNs;
            for (int k = 1; k < n; k++)
                if (!t.True(Remote.SpawnOn(k, "xsync-hammer", &Hammer, null, Priority) != null, "a hammering thread on cpu " + k)) return;
            Hammer(null);                       // CPU 0 takes part
            int finished = 0;
            while (finished < n && Blocking.Obtain(stressDone, 10 * WaitNs) == SyncStatus.Successful) finished++;
            long took = Machine.Now() - start;
            // Drain what is left in the queue.
            byte[] r = new byte[MailSize];
            int len, left = 0;
            while (Blocking.Receive(mail, r, Timeout.NoWait, out len) == SyncStatus.Successful) { Record(r); left++; }
            int rel = 0, obt = 0, held = 0, snt = 0, other = 0, once = 0, twice = 0, ghost = 0, lost = 0;
            for (int k = 0; k < n; k++)
            {
                rel += flowReleased[k]; obt += flowObtained[k]; held += tokenHeld[k]; snt += sent[k]; other += stressOther[k];
                for (int s = 0; s < MaxSeq; s++)
                {
                    int c = seen[k][s];
                    if (c == 1 && sentState[k][s] == 1) once++;
                    else if (c > 1) twice++;
                    else if (c == 1) ghost++;           // received, but its send did not succeed
                    else if (sentState[k][s] == 1) lost++;
                }
            }
            t.Note(n + " CPUs in " + took + " ns: tokens taken " + held + " times; flow " + rel + " released, " + obt + " obtained, " + flow.Count + " left; " + snt + " messages sent, " + once + " received once (" + left + " drained at the end)");
            t.Equal(n, finished, "threads that finished");
            t.Equal(0, other, "operations with a status other than Successful/Timeout");
            t.Equal(Tokens, tokens.Count, "every token is back");
            t.Equal(rel, obt + flow.Count, "flow units released = obtained + left");
            t.Equal(snt, once, "messages sent Successful and received exactly once");
            t.Equal(0, twice, "messages received twice");
            t.Equal(0, ghost, "messages received whose send failed");
            t.Equal(0, lost, "messages lost");
            t.Equal(0, badMessages, "corrupt messages");
            t.Equal(0, tokens.WaitingCount + flow.WaitingCount + mail.Senders.Count + mail.Receivers.Count, "nobody waits at the end");
            t.True(held > 0 && obt > 0 && snt > 0, "every object was used");
        }

        // ------------------------------------------------------------------
        // A mutex of CPU 0's core used by a thread of CPU 1: refused with
        // InvalidCaller, the mutex untouched (Smp.GlobalMutex is the mutex
        // across CPUs).

        private static Mutex localMutex;
        private static SyncStatus foreignLock, foreignUnlock;

        private static void ForeignLocker(object o)
        {
            foreignLock = Blocking.Lock(localMutex, Timeout.Forever);
            foreignUnlock = Blocking.Unlock(localMutex);
            Blocking.Release(waiterDone);
        }

        internal static void MutexStaysLocal(Check t)
        {
            if (Cpus < 2) { t.Skip("one CPU"); return; }
            localMutex = Blocking.NewMutex(false);
            waiterDone = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            foreignLock = foreignUnlock = SyncStatus.Blocked;
            if (!t.True(Remote.SpawnOn(1, "xsync-foreign", &ForeignLocker, null, Priority) != null, "a thread on cpu 1")) return;
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Obtain(waiterDone, WaitNs), "it signalled back");
            t.Equal((long)SyncStatus.InvalidCaller, (long)foreignLock, "lock of cpu 0's mutex from cpu 1");
            t.Equal((long)SyncStatus.NotOwner, (long)foreignUnlock, "unlock of cpu 0's mutex from cpu 1");
            t.True(localMutex.Owner == null, "the mutex stays free");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Lock(localMutex, Timeout.NoWait), "cpu 0 locks it");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Unlock(localMutex), "and unlocks it");
        }
    }
}
