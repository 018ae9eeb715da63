using Osprey.Sched.Analysis;

namespace Osprey.Kernel.Threading
{
    // The overhead probe (OverheadProbe) on the other CPUs, on demand: a
    // partitioned workload run charges each CPU's analysis and admission
    // the figures measured on that CPU. The probe runs as a thread of that
    // CPU's core (it needs interrupts on for its self-IPI and a thread to
    // switch from), one CPU at a time: it writes OverheadProbe's figures,
    // which are saved here per CPU and then set back to the boot CPU's.
    // Thread context (the runner's main on CPU 0), before a run starts.
    internal static unsafe class OverheadProbeCpus
    {
        private const int MaxCpus = Acpi.AcpiInfo.MaxCpus;
        private const long WaitNs = 2000000000;

        private sealed class Figures
        {
            internal readonly long[] Release = new long[4], Decision = new long[4];
            internal long SwitchNs, EntryNs, ExitNs;
            internal bool Done;
            internal string Error;
        }

        private static readonly Figures[] measured = new Figures[MaxCpus];
        private static volatile bool probeDone;

        // Measures on CPU `cpu` unless done already (CPU 0: the boot
        // figures). Null, or why there are no figures of that CPU.
        internal static string Measure(int cpu)
        {
            if (cpu == 0) return OverheadProbe.Done ? null : "not measured at boot";
            if (cpu < 0 || cpu >= MaxCpus || !Smp.Smp.Online(cpu)) return "CPU " + cpu + " does not run";
            if (measured[cpu] != null) return measured[cpu].Done ? null : measured[cpu].Error;
            Figures boot = Take();
            probeDone = false;
            Thread t = Smp.Remote.SpawnOn(cpu, "overhead-probe", &ProbeThread, null, 1);
            if (t == null) return "CPU " + cpu + " did not start the probe";
            long until = Machine.Now() + WaitNs;
            while (!probeDone && Machine.Now() < until) Threads.SleepFor(100000);
            Figures f;
            if (probeDone) f = Take();
            else { f = new Figures(); f.Error = "the probe on CPU " + cpu + " did not end within 2 s"; }
            Put(boot);
            measured[cpu] = f;
            // Recycled on its own core once it has exited.
            while (!t.Exited && Machine.Now() < until) Threads.SleepFor(100000);
            if (t.Exited) Smp.Remote.RunOn(cpu, &ReapHere, t);
            return f.Done ? null : f.Error;
        }

        // The figures of CPU `cpu` for a policy as OverheadProbe.For gives
        // them (CPU 0: the boot figures); zeros when not measured there.
        internal static Overheads For(int cpu, string policy, bool margin)
        {
            if (cpu == 0) return OverheadProbe.For(policy, margin);
            Figures f = cpu > 0 && cpu < MaxCpus ? measured[cpu] : null;
            if (f == null || !f.Done) return Overheads.None;
            Figures boot = Take();
            Put(f);
            Overheads o = OverheadProbe.For(policy, margin);
            Put(boot);
            o.Source = "measured on CPU " + cpu;
            return o;
        }

        private static void ProbeThread(object o)
        {
            OverheadProbe.Run();
            probeDone = true;
        }

        private static void ReapHere(object o) { Threads.Reap((Thread)o); }

        private static Figures Take()
        {
            Figures f = new Figures();
            for (int p = 0; p < 4; p++) { f.Release[p] = OverheadProbe.Release[p]; f.Decision[p] = OverheadProbe.Decision[p]; }
            f.SwitchNs = OverheadProbe.SwitchNs;
            f.EntryNs = OverheadProbe.EntryNs;
            f.ExitNs = OverheadProbe.ExitNs;
            f.Done = OverheadProbe.Done;
            f.Error = OverheadProbe.Error;
            return f;
        }

        private static void Put(Figures f)
        {
            for (int p = 0; p < 4; p++) { OverheadProbe.Release[p] = f.Release[p]; OverheadProbe.Decision[p] = f.Decision[p]; }
            OverheadProbe.SwitchNs = f.SwitchNs;
            OverheadProbe.EntryNs = f.EntryNs;
            OverheadProbe.ExitNs = f.ExitNs;
            OverheadProbe.Done = f.Done;
            OverheadProbe.Error = f.Error;
        }
    }
}
