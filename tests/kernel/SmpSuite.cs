using Osprey.Kernel.Smp;

namespace Osprey.Kernel.SelfTest
{
    // The application processors: every enabled CPU of the MADT (or
    // cpus=N of them) started, each with its own scheduling core; each AP's
    // local APIC timer, calibrated against the boot CPU's TSC, wakes its
    // sleeping main thread; a fixed IPI from CPU 0 reaches each AP and its
    // answer comes back. With one CPU
    // (QEMU -smp 1, or cpus=1) the AP tests are skipped, not passed.
    internal sealed class SmpSuite : Suite
    {
        internal override string Name { get { return "smp"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "cpus_running", "ap_apic_timer_calibrated", "ap_timer_wakes_sleeper", "ipi_round_trip" }; }
        }

        private const int Shots = 5;
        private const long ShotNs = 1000000;
        private const int Rounds = 20;
        private const long WaitNs = 2000000000;   // bounds a lost interrupt, far above any expected time

        internal override void Run(int index, Check t)
        {
            if (index > 0 && Smp.Smp.Count == 1)
            {
                t.Skip("one CPU started (" + (Smp.Smp.NotStartedReason != null ? Smp.Smp.NotStartedReason : "no other CPU checked in") + "): no application processor to test");
                return;
            }
            switch (index)
            {
                case 0: CheckedIn(t); break;
                case 1: Calibrated(t); break;
                case 2: TimerFires(t); break;
                case 3: IpiRoundTrip(t); break;
            }
        }

        private static void CheckedIn(Check t)
        {
            int enabled = Smp.Smp.EnabledInMadt;
            int expected = Smp.Smp.Limit > 0 && Smp.Smp.Limit < enabled ? Smp.Smp.Limit : enabled;
            t.Note(Smp.Smp.Count + " CPUs started, " + enabled + " enabled in the MADT" + (Smp.Smp.Limit > 0 ? ", cpus=" + Smp.Smp.Limit : ""));
            t.Equal(expected, Smp.Smp.Count, "CPUs running");
            t.Equal(0, Smp.Smp.LeftOut, "CPUs left out");
            t.Equal(enabled - expected, Smp.Smp.NotStartedByLimit, "CPUs not started because of cpus=");
            t.Equal(Machine.ApicId, Smp.Smp.Cpus[0].ApicId, "CPU 0 is the boot CPU");
            t.Equal(0, Machine.CpuIndex, "the self-tests run on CPU 0");
            Acpi.AcpiInfo acpi = Acpi.AcpiDiscovery.Info;
            for (int i = 0; i < Smp.Smp.Cpus.Length; i++)
            {
                Processor p = Smp.Smp.Cpus[i];
                if (!t.True(Smp.Smp.Online(i), "cpu " + i + " runs")) continue;
                bool inMadt = false;
                for (int k = 0; acpi != null && k < acpi.CpuCount; k++) if (acpi.Cpus[k].Enabled && acpi.Cpus[k].ApicId == p.ApicId) inMadt = true;
                t.True(inMadt || Smp.Smp.EnabledInMadt <= 1, "cpu " + i + " (APIC id " + p.ApicId + ") is an enabled MADT processor");
                for (int k = 0; k < i; k++) t.True(Smp.Smp.Cpus[k].ApicId != p.ApicId, "cpus " + k + " and " + i + " have distinct APIC ids");
                if (i == 0) continue;
                long us = (p.ArrivedNs - p.SipiNs) / 1000;
                t.Note("cpu " + i + " (APIC id " + p.ApicId + "): first C# instruction " + us + " us after its first SIPI");
                t.True(p.ArrivedNs > p.SipiNs, "cpu " + i + " ran after its SIPI");
                // Its own scheduler: a core of the boot CPU's policy, an idle
                // thread, and its boot context as a main thread, suspended
                // while it has no command.
                Threading.PerCpu c = Threading.PerCpu.Of(i);
                t.Equal(i, c.Index, "cpu " + i + "'s per-CPU block has its index");
                t.True(c.Core != null && c.Idle != null && c.Main != null, "cpu " + i + " has a scheduling core, an idle thread and a main thread");
                if (c.Core != null) t.Equal(Smp.Smp.Policy, c.Core.Scheduler.Name, "cpu " + i + "'s policy");
            }
        }

        // The AP's rate, measured against the TSC over 2 ms, against the
        // boot CPU's (measured against the HPET, PM timer or PIT). QEMU
        // runs every APIC timer at one rate. Under -icount both are exact
        // to a few counts; plain emulation allows 2% (a host stall between
        // the paired reads).
        private static void Calibrated(Check t)
        {
            long bsp = Smp.Smp.BootApicHz;
            long tolerancePpm = Kernel.KernelMain.Options.ExactClock ? 1000 : 20000;
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                long hz = Smp.Smp.Cpus[i].ApicHz;
                t.Note("cpu " + i + ": APIC timer " + hz + " Hz, boot CPU " + bsp + " Hz");
                long diff = hz > bsp ? hz - bsp : bsp - hz;
                t.True(hz > 0 && diff * 1000000 / bsp <= tolerancePpm, "cpu " + i + "'s APIC timer rate within " + tolerancePpm + " ppm of the boot CPU's (" + hz + " vs " + bsp + " Hz)");
            }
        }

        // Each AP's main thread sleeps 5 times 1 ms on its own core: its
        // one-shot timer (armed through Machine.ArmTimer on that CPU) must
        // fire for each wake-up, never early.
        private static void TimerFires(Check t)
        {
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                Processor p = Smp.Smp.Cpus[i];
                bool done = Smp.Smp.RunOn(i, SmpCommands.Sleeps, Shots, ShotNs, WaitNs);
                if (!t.True(done, "cpu " + i + " finished its sleeps")) continue;
                t.Note("cpu " + i + ": " + Shots + " sleeps of " + ShotNs + " ns in " + p.Result1 + " ns, " + p.Result0 + " timer interrupts");
                t.True(p.Result0 >= Shots, "cpu " + i + "'s timer fired for every sleep (" + p.Result0 + " interrupts)");
                t.True(p.Result1 >= Shots * ShotNs, "cpu " + i + "'s sleeps took at least their length (" + p.Result1 + " ns)");
                // Under -icount nothing else delays them: one interrupt each, within 1%.
                if (Kernel.KernelMain.Options.ExactClock)
                {
                    t.Equal(Shots, p.Result0, "cpu " + i + ": one timer interrupt per sleep");
                    t.True(p.Result1 <= Shots * ShotNs * 101 / 100, "cpu " + i + "'s sleeps took at most 1% more than their length (" + p.Result1 + " ns)");
                }
            }
        }

        private static void IpiRoundTrip(Check t)
        {
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                Processor p = Smp.Smp.Cpus[i];
                int pings0 = p.PingsReceived, pongs0 = p.PongsSent, back0 = Smp.Smp.PongsReceived;
                int answered = 0;
                long worst = 0;
                for (int r = 0; r < Rounds; r++)
                {
                    int before = Smp.Smp.PongsReceived;
                    long sent = Machine.Now();
                    string error;
                    if (!t.True(Machine.SendIpi(p.ApicId, Smp.Smp.PingVector, out error), "cpu " + i + "'s APIC accepted the IPI: " + error)) break;
                    while (Smp.Smp.PongsReceived == before && Machine.Now() - sent < WaitNs) Machine.SpinWaitHint();
                    if (Smp.Smp.PongsReceived == before) break;
                    long took = Machine.Now() - sent;
                    if (took > worst) worst = took;
                    if (Smp.Smp.LastPongFrom == i) answered++;
                }
                t.Note("cpu " + i + ": " + Rounds + " IPI round trips, slowest " + worst + " ns");
                t.Equal(Rounds, p.PingsReceived - pings0, "IPIs received on cpu " + i);
                t.Equal(Rounds, p.PongsSent - pongs0, "answers sent by cpu " + i);
                t.Equal(Rounds, Smp.Smp.PongsReceived - back0, "answers received on cpu 0");
                t.Equal(Rounds, answered, "answers that came from cpu " + i);
            }
        }
    }
}
