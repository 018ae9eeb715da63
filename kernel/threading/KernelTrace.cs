using Osprey.Kernel.Drivers;
using Osprey.Sched;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.Threading
{
    // The scheduling trace on the machine (command-line word `trace`): one
    // ring of TraceRing.DefaultCapacity (65,536) events for CPU 0, allocated
    // at boot only when asked for (2.5 MiB), attached to the scheduling core,
    // which records switches, blocks, unblocks, releases, period expiries and
    // budget overruns itself. Interrupt entry and exit come from
    // InterruptEntry (the interrupt up-calls); job completions, deadline misses and the releases
    // the core does not make from the workload runner. Off, every hook site
    // is one null check. Dump writes the ring over serial between the lines
    // `# trace begin` and `# trace end` (format: sched/README.md, "Trace
    // format"); the host tool (qemu/tracetool) turns it into pictures.
    internal static class KernelTrace
    {
        // This CPU's recording ring (PerCpu.Trace); null: not recording.
        internal static TraceRing Ring { get { PerCpu c = PerCpu.Current; return c == null ? null : c.Trace; } }


        // Allocate the boot ring, name the threads that exist already (idle,
        // main) and attach it; the core names every thread added later.
        internal static void Start(TraceOverflow overflow)
        {
            TraceRing r = new TraceRing(0, TraceRing.DefaultCapacity, overflow, Scheduling.Platform);
            r.NameThread(Scheduling.Idle.Id, Scheduling.Idle.Name);
            if (Scheduling.Main != null) r.NameThread(Scheduling.Main.Id, Scheduling.Main.Name);
            Attach(r);
        }

        // Make r the recording ring (core hooks and interrupts); null stops recording.
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

        // Dump the boot ring (if recording) over serial.
        internal static void Dump(string source)
        {
            if (Ring != null) Dump(Ring, source);
        }

        // Dump ring over serial between the marker lines. The ring is paused
        // meanwhile (events of the dump itself are not recorded), then
        // resumes recording.
        internal static void Dump(TraceRing ring, string source)
        {
            ulong f = Machine.DisableInterrupts();
            bool wasPaused = ring.Paused;
            ring.Paused = true;
            Machine.RestoreInterrupts(f);
            SerialTraceOutput serial = new SerialTraceOutput();
            serial.Text(TraceDump.BeginMarker);
            TraceDump.Write(One(ring), 1, source, serial, new char[TraceFormat.MaxLine]);
            serial.Text(TraceDump.EndMarker);
            f = Machine.DisableInterrupts();
            ring.Paused = wasPaused;
            Machine.RestoreInterrupts(f);
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
