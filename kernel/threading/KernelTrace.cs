using Osprey.Kernel.Drivers;
using Osprey.Sched;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.Threading
{
    // The scheduling trace on the machine (command-line word `trace`): one
    // ring per started CPU, allocated at boot only when asked for. The rings
    // share a budget of TraceRing.DefaultCapacity (65,536) events, 2.5 MiB:
    // each of N CPUs gets 65,536 / N events, at least MinCpuCapacity (16,384,
    // 640 KiB), so one CPU keeps 65,536, two 32,768 each, four and more
    // 16,384 each. Each ring is attached on its own CPU (PerCpu.Trace and its
    // core), which then records switches, blocks, unblocks, releases, period
    // expiries and budget overruns itself (under global EDF into the ring of
    // the CPU that makes the event: KernelPlatform.CallerTrace). Interrupt
    // entry and exit come from InterruptEntry (the interrupt up-calls); job
    // completions, deadline misses and the releases the core does not make
    // from the workload runner, on the CPU its task runs on. A CPU records
    // only into its own ring, with interrupts off, so rings take no lock.
    // Off, every hook site is one null check. Dump writes every ring in one
    // trace over serial between the lines `# trace begin` and `# trace end`
    // (format: sched/README.md, "Trace format"; events of all CPUs merged by
    // time); the host tool (qemu/tracetool) turns it into pictures.
    internal static unsafe class KernelTrace
    {
        // The least ring per CPU when the shared budget is split.
        internal const int MinCpuCapacity = 16384;

        // This CPU's recording ring (PerCpu.Trace); null: not recording.
        internal static TraceRing Ring { get { PerCpu c = PerCpu.Current; return c == null ? null : c.Trace; } }

        // The rings Start made, one per started CPU in CPU order (null: off).
        private static TraceRing[] rings;

        // Events per CPU's ring with `cpus` CPUs recording.
        internal static int CapacityFor(int cpus)
        {
            int c = TraceRing.DefaultCapacity / (cpus < 1 ? 1 : cpus);
            return c < MinCpuCapacity ? MinCpuCapacity : c;
        }

        internal static int RingCount { get { return rings == null ? 0 : rings.Length; } }
        internal static int RingCapacity { get { return rings == null ? 0 : rings[0].Capacity; } }

        // Allocate a ring for every started CPU, name the threads that exist
        // already there (idle, main) and attach each on its own CPU (another
        // CPU in its reschedule IPI's handler: Remote.RunOn); the core names
        // every thread added later. Boot CPU, main thread.
        internal static void Start(TraceOverflow overflow)
        {
            int n = 0;
            for (int k = 0; k < PerCpu.Count; k++) if (Recording(k)) n++;
            int capacity = CapacityFor(n);
            TraceRing[] made = new TraceRing[n];
            int i = 0;
            for (int k = 0; k < PerCpu.Count; k++)
            {
                if (!Recording(k)) continue;
                PerCpu c = PerCpu.Of(k);
                TraceRing r = new TraceRing(k, capacity, overflow, c.Platform);
                r.NameThread(c.Idle.Id, c.Idle.Name);
                if (c.Main != null) r.NameThread(c.Main.Id, c.Main.Name);
                made[i++] = r;
            }
            rings = made;
            for (int j = 0; j < made.Length; j++)
            {
                if (!Smp.Remote.RunOn(made[j].Cpu, &AttachHere, made[j]))
                    Log.WriteLine("osprey: trace: CPU " + made[j].Cpu + " did not attach its ring within 1 s (its events are missing)");
            }
        }

        // CPU k records: the boot CPU, and each application processor started.
        private static bool Recording(int k)
        {
            return k == 0 ? PerCpu.Of(0).Core != null : Smp.Smp.Online(k) && PerCpu.Of(k).Core != null;
        }

        // On another CPU this runs inside its reschedule IPI's handler, whose
        // irq_entry came before the ring: the ring opens with that entry (at
        // the attach instant), so the handler's irq_exit closes a pair.
        private static void AttachHere(object o)
        {
            TraceRing r = (TraceRing)o;
            Attach(r);
            PerCpu cpu = PerCpu.Current;
            if (cpu.InterruptNesting > 0) Interrupt(cpu, r, TraceEventKind.IrqEntry, Smp.Remote.RescheduleVector);
        }

        // Make r the recording ring of this CPU (core hooks and interrupts); null stops recording.
        internal static void Attach(TraceRing r)
        {
            ulong f = Machine.DisableInterrupts();
            PerCpu cpu = PerCpu.Current;
            cpu.Trace = r;
            cpu.Core.Trace = r;
            Machine.RestoreInterrupts(f);
        }

        // A thread-context event (interrupts are disabled around the store).
        internal static void Record(TraceEventKind kind, int thread, int obj, long a, long b)
        {
            TraceRing r = Ring;
            if (r == null) return;
            ulong f = Machine.DisableInterrupts();
            r.Record(kind, thread, obj, a, b);
            Machine.RestoreInterrupts(f);
        }

        // Interrupt entry/exit (called with interrupts off by InterruptDispatch).
        internal static void Interrupt(PerCpu cpu, TraceRing r, TraceEventKind kind, int vector)
        {
            Thread cur = cpu.CurrentThread;
            int id = cur == null || cur == cpu.Idle ? TraceRing.NoThread : cur.Id;
            r.Record(kind, id, vector, 0, 0);
        }

        // Dump every CPU's ring (if recording) over serial, in one trace.
        // Each ring is paused first: the flag is set here, then every other
        // CPU runs an empty function in its reschedule IPI's handler, after
        // which no event of that CPU is being stored (a CPU stores with
        // interrupts off) and every later one sees the flag. Events of the
        // dump itself are not recorded; recording resumes after it.
        internal static void Dump(string source)
        {
            TraceRing[] rs = rings;
            if (rs == null) return;
            bool[] was = new bool[rs.Length];
            ulong f = Machine.DisableInterrupts();
            for (int i = 0; i < rs.Length; i++) { was[i] = rs[i].Paused; rs[i].Paused = true; }
            Machine.RestoreInterrupts(f);
            for (int i = 0; i < rs.Length; i++)
                if (rs[i].Cpu != Machine.CpuIndex && !Smp.Remote.RunOn(rs[i].Cpu, &Nothing, null))
                    Log.WriteLine("osprey: trace: CPU " + rs[i].Cpu + " did not answer before the dump (its last event may be torn)");
            WriteSerial(rs, rs.Length, source);
            f = Machine.DisableInterrupts();
            for (int i = 0; i < rs.Length; i++) rs[i].Paused = was[i];
            Machine.RestoreInterrupts(f);
        }

        private static void Nothing(object o) { }

        // Dump one ring over serial between the marker lines (self-tests: a
        // ring of this CPU). The ring is paused meanwhile, then resumes.
        internal static void Dump(TraceRing ring, string source)
        {
            ulong f = Machine.DisableInterrupts();
            bool wasPaused = ring.Paused;
            ring.Paused = true;
            Machine.RestoreInterrupts(f);
            WriteSerial(One(ring), 1, source);
            f = Machine.DisableInterrupts();
            ring.Paused = wasPaused;
            Machine.RestoreInterrupts(f);
        }

        private static void WriteSerial(TraceRing[] rs, int count, string source)
        {
            SerialTraceOutput serial = new SerialTraceOutput();
            serial.Text(TraceDump.BeginMarker);
            TraceDump.Write(rs, count, source, serial, new char[TraceFormat.MaxLine]);
            serial.Text(TraceDump.EndMarker);
        }

        // Write ring to any output (self-tests capture it).
        internal static long Write(TraceRing ring, string source, TraceOutput o)
        {
            return TraceDump.Write(One(ring), 1, source, o, new char[TraceFormat.MaxLine]);
        }

        // Each dump has its own scratch (a dump runs with interrupts on and
        // may be preempted; two dumps, of two threads or CPUs, share
        // nothing). COM1 is shared: SerialTraceOutput's lines go through the
        // log ring like any other line (whole, in order).
        private static TraceRing[] One(TraceRing ring)
        {
            TraceRing[] one = new TraceRing[1];
            one[0] = ring;
            return one;
        }
    }

    // Trace lines to COM1 (whatever console= says: the dump is for the host).
    internal sealed class SerialTraceOutput : TraceOutput
    {
        public override void Line(char[] buf, int length)
        {
            Log.SerialLine(buf, length);
        }

        internal void Text(string s)
        {
            Log.SerialText(s);
        }
    }
}
