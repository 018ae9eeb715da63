using Osprey.Kernel.Memory;
using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.SelfTest
{
    // The scheduling trace on the machine: the portable ring under the
    // kernel runtime (order, both overflow policies), the core's and the
    // interrupt dispatcher's hooks on real threads, nothing recorded when
    // off or paused, the text format and the on-demand dump over serial,
    // and the cost per event (`# BENCH trace_event_cost`).
    internal sealed unsafe class TraceSuite : Suite
    {
        internal override string Name { get { return "trace"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] { "records_in_order", "overwrite_oldest_counts_drops", "drop_newest_counts_drops",
                    "core_and_interrupt_hooks_record", "off_or_paused_records_nothing", "dump_format_and_on_demand_dump", "event_cost" };
            }
        }

        private const int Main = KernelMain.MainPriority;

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0: InOrder(t); break;
                case 1: Overwrite(t); break;
                case 2: DropNewest(t); break;
                case 3: Hooks(t); break;
                case 4: Off(t); break;
                case 5: Format(t); break;
                case 6: Cost(t); break;
            }
        }

        private static TraceRing NewRing(int capacity, TraceOverflow o)
        {
            return new TraceRing(0, capacity, o, Scheduling.Platform);
        }

        private static void InOrder(Check t)
        {
            TraceRing r = NewRing(64, TraceOverflow.OverwriteOldest);
            for (int i = 0; i < 50; i++) r.Record(TraceEventKind.Mark, TraceRing.NoThread, 1, i, 0);
            t.Equal(50, r.Count, "entries");
            t.Equal(0, r.Dropped, "nothing dropped");
            bool order = true, values = true;
            long last = 0;
            TraceEntry e;
            for (int i = 0; i < r.Count; i++)
            {
                r.Get(i, out e);
                if (e.Time < last) order = false;
                if (e.A != i || e.Kind != TraceEventKind.Mark) values = false;
                last = e.Time;
            }
            t.True(order, "timestamps never go back");
            t.True(values, "entries in recording order");
        }

        private static void Overwrite(Check t)
        {
            TraceRing r = NewRing(16, TraceOverflow.OverwriteOldest);
            for (int i = 0; i < 40; i++) r.Add(i * 10, TraceEventKind.Mark, TraceRing.NoThread, 0, i, 0);
            TraceEntry first, last;
            r.Get(0, out first);
            r.Get(15, out last);
            t.Equal(16, r.Count, "full ring");
            t.Equal(24, r.Dropped, "24 oldest overwritten and counted");
            t.Equal(24, first.A, "the oldest kept is event 24");
            t.Equal(39, last.A, "the newest kept is event 39");
        }

        private static void DropNewest(Check t)
        {
            TraceRing r = NewRing(16, TraceOverflow.DropNewest);
            for (int i = 0; i < 40; i++) r.Add(i * 10, TraceEventKind.Mark, TraceRing.NoThread, 0, i, 0);
            TraceEntry first, last;
            r.Get(0, out first);
            r.Get(15, out last);
            t.Equal(16, r.Count, "full ring");
            t.Equal(24, r.Dropped, "24 newest dropped and counted");
            t.Equal(0, first.A, "the first event kept");
            t.Equal(15, last.A, "the 16th event is the last kept");
        }

        // Sleeps 1 ms once, for real. A sleep whose deadline has passed by the
        // time it is armed returns without blocking and records nothing:
        // under plain emulation a host stall between reading the clock and
        // arming the timer does that. Such a sleep is taken again (no other
        // thread can switch this one out, so an unchanged switch count means
        // it did not block).
        private static void Sleeper(object arg)
        {
            long switches;
            do
            {
                switches = Scheduling.Switches;
                Threads.SleepFor(1000000);
            } while (Scheduling.Switches == switches);
        }

        // Create, start and join a thread that sleeps 1 ms.
        private static Thread SleepOnce(Check t, string name)
        {
            Thread th;
            ThreadStatus s = Threads.Create(name, &Sleeper, null, Main - 10, 0, out th);
            t.Equal((long)ThreadStatus.Successful, (long)s, "create " + name);
            if (th == null) return null;
            Threads.Start(th);
            Threads.Join(th);
            return th;
        }

        private static int CountOf(TraceRing r, TraceEventKind kind, int thread)
        {
            int n = 0;
            TraceEntry e;
            for (int i = 0; i < r.Count; i++)
            {
                r.Get(i, out e);
                if (e.Kind == kind && (thread == int.MinValue || e.Thread == thread)) n++;
            }
            return n;
        }

        private static void Hooks(Check t)
        {
            TraceRing saved = KernelTrace.Ring;
            TraceRing r = NewRing(4096, TraceOverflow.DropNewest);
            KernelTrace.Attach(r);
            Thread th = SleepOnce(t, "traced");
            KernelTrace.Attach(saved);
            if (th == null) return;
            t.Equal("traced", r.NameOf(th.Id), "the core named the thread it added");
            t.Equal(2, CountOf(r, TraceEventKind.SwitchIn, th.Id), "switched in at start and after its sleep");
            t.Equal(2, CountOf(r, TraceEventKind.SwitchOut, th.Id), "switched out for its sleep and at exit");
            t.Equal(2, CountOf(r, TraceEventKind.Unblock, th.Id), "unblocked at start and at the end of its sleep");
            t.Equal(2, CountOf(r, TraceEventKind.Block, th.Id), "blocked by its sleep and its exit");
            int entries = CountOf(r, TraceEventKind.IrqEntry, int.MinValue);
            t.True(entries >= 1, "the timer interrupt that ended the sleep was recorded (" + entries + ")");
            t.Equal(entries, CountOf(r, TraceEventKind.IrqExit, int.MinValue), "each interrupt entry has its exit");
            // Sleeping: block with reason Sleeping, then its unblock, in that order.
            bool ordered = true, sawSleep = false;
            long last = 0;
            TraceEntry e;
            for (int i = 0; i < r.Count; i++)
            {
                r.Get(i, out e);
                if (e.Time < last) ordered = false;
                last = e.Time;
                if (e.Kind == TraceEventKind.Block && e.Thread == th.Id && e.A == (long)ThreadState.Sleeping) sawSleep = true;
            }
            t.True(ordered, "events in time order");
            t.True(sawSleep, "block reason=sleeping recorded");
            t.Equal(0, r.Dropped, "nothing dropped");
        }

        private static void Off(Check t)
        {
            TraceRing saved = KernelTrace.Ring;
            TraceRing r = NewRing(1024, TraceOverflow.DropNewest);
            KernelTrace.Attach(r);
            KernelTrace.Attach(null);
            SleepOnce(t, "untraced");
            t.Equal(0, r.Accepted, "detached: no event recorded");
            t.Equal(0, r.Dropped, "detached: nothing counted");
            KernelTrace.Attach(r);
            r.Paused = true;
            SleepOnce(t, "paused");
            r.Paused = false;
            KernelTrace.Attach(saved);
            t.Equal(0, r.Accepted, "paused: no event recorded");
            t.True(Scheduling.Core.Trace == saved, "the boot ring is back");
        }

        private sealed class Capture : TraceOutput
        {
            internal readonly string[] Lines = new string[32];
            internal int Count;
            public override void Line(char[] buf, int length)
            {
                if (Count < Lines.Length) Lines[Count] = new string(buf, 0, length);
                Count++;
            }
        }

        private static void Format(Check t)
        {
            TraceRing r = NewRing(8, TraceOverflow.DropNewest);
            r.NameThread(7, "worker");
            r.Add(1000, TraceEventKind.Mark, TraceRing.NoThread, 7, 42, 0);
            r.Add(2000, TraceEventKind.Release, 7, 0, 3, 9000);
            r.Add(3000, TraceEventKind.IrqEntry, 7, 240, 0, 0);
            r.Add(4000, TraceEventKind.SwitchOut, 7, 0, (long)ThreadState.PeriodWait, 0);
            Capture c = new Capture();
            long n = KernelTrace.Write(r, "selftest", c);
            t.Equal(4, n, "event lines");
            t.Equal(10, c.Count, "header, source, name, columns, 4 events, dropped, end");
            t.Equal("# osprey-trace 2", c.Lines[0], "header");
            t.Equal("# source selftest", c.Lines[1], "source");
            t.Equal("thread 0 7 worker", c.Lines[2], "name table");
            t.Equal("# time_ns cpu event thread [key=value ...]", c.Lines[3], "columns");
            t.Equal("1000 0 mark - id=7 value=42", c.Lines[4], "mark");
            t.Equal("2000 0 release 7 job=3 deadline=9000", c.Lines[5], "release");
            t.Equal("3000 0 irq_entry 7 vector=240", c.Lines[6], "interrupt");
            t.Equal("4000 0 switch_out 7 state=period", c.Lines[7], "switch");
            t.Equal("dropped 0 0 kept=4 capacity=8 overflow=drop-newest", c.Lines[8], "trailer");
            t.Equal("# end", c.Lines[9], "end");
            // On demand over serial, between the markers (the host extracts it).
            KernelTrace.Dump(r, "selftest on-demand dump");
            t.False(r.Paused, "recording resumes after a dump");
        }

        private const int CostEvents = 10000;
        private const int HookPairs = 2000;

        private static void Idle(object arg) { }

        private static void Cost(Check t)
        {
            TraceRing r = NewRing(4096, TraceOverflow.OverwriteOldest);
            ulong allocations = Heap.AllocationCount;
            ulong f = Machine.DisableInterrupts();
            long t0 = Machine.Now();
            for (int i = 0; i < CostEvents; i++) r.Record(TraceEventKind.Mark, 1, 2, i, 0);
            long t1 = Machine.Now();
            for (int i = 0; i < CostEvents; i++) r.Add(t1, TraceEventKind.Mark, 1, 2, i, 0);
            long t2 = Machine.Now();
            Machine.RestoreInterrupts(f);
            t.Equal(0, (long)(Heap.AllocationCount - allocations), "recording allocates nothing");
            t.Note("per event: " + (t1 - t0) / CostEvents + " ns with its timestamp (Platform.Now), " + (t2 - t1) / CostEvents + " ns storing alone");
            t.Equal(2 * CostEvents - 4096, r.Dropped, "wrapped ring counts the overwritten events");
            long perEvent = (t1 - t0) / CostEvents;
            t.True(perEvent > 0, "time passes");
            t.Bench("trace_event_cost", perEvent, "ns");

            // A core hook: suspend/resume of a ready thread records a block and
            // an unblock; the same pairs untraced give the overhead per event.
            Thread th;
            ThreadStatus s = Threads.Create("bystander", &Idle, null, Main + 20, 0, out th);
            t.Equal((long)ThreadStatus.Successful, (long)s, "create bystander");
            if (th == null) return;
            Threads.Start(th);
            SchedCore core = Scheduling.Core;
            TraceRing saved = core.Trace;
            f = Machine.DisableInterrupts();
            core.Trace = null;
            long a0 = Machine.Now();
            for (int i = 0; i < HookPairs; i++) { core.Suspend(th); core.Resume(th); }
            long a1 = Machine.Now();
            core.Trace = r;
            long b0 = Machine.Now();
            for (int i = 0; i < HookPairs; i++) { core.Suspend(th); core.Resume(th); }
            long b1 = Machine.Now();
            core.Trace = saved;
            Machine.RestoreInterrupts(f);
            Threads.Join(th);
            long off = (a1 - a0) / (2 * HookPairs);
            long on = (b1 - b0) / (2 * HookPairs);
            t.Note("suspend or resume of a ready thread: " + off + " ns untraced, " + on + " ns traced");
            t.Bench("trace_hook_overhead", on - off, "ns");
        }
    }
}
