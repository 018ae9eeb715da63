using Osprey.Kernel.Arch;
using Osprey.Kernel.Smp;

namespace Osprey.Kernel.SelfTest
{
    // The application processors: every enabled CPU of the MADT (or
    // cpus=N of them) started and checked in; each AP's local APIC timer,
    // calibrated against the boot CPU's TSC, fires its one-shots; a fixed
    // IPI from CPU 0 reaches each AP and its answer comes back. With one CPU
    // (QEMU -smp 1, or cpus=1) the AP tests are skipped, not passed.
    internal sealed class SmpSuite : Suite
    {
        internal override string Name { get { return "smp"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "cpus_checked_in", "ap_apic_timer_calibrated", "ap_timer_fires", "ipi_round_trip" }; }
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
            t.Equal(expected, Smp.Smp.Count, "CPUs checked in");
            t.Equal(0, Smp.Smp.LeftOut, "CPUs left out");
            t.Equal(enabled - expected, Smp.Smp.NotStartedByLimit, "CPUs not started because of cpus=");
            t.Equal(LocalApic.Id, Smp.Smp.Cpus[0].ApicId, "CPU 0 is the boot CPU");
            Acpi.AcpiInfo acpi = Acpi.AcpiDiscovery.Info;
            for (int i = 0; i < Smp.Smp.Count; i++)
            {
                Processor p = Smp.Smp.Cpus[i];
                if (!t.True(p != null && p.Started, "cpu " + i + " checked in")) continue;
                t.Equal(i, p.Index, "cpu " + i + " has its index");
                t.Equal(p.ApicId, p.SeenApicId, "cpu " + i + " runs on the APIC id it was started at");
                bool inMadt = false;
                for (int k = 0; acpi != null && k < acpi.CpuCount; k++) if (acpi.Cpus[k].Enabled && acpi.Cpus[k].ApicId == p.ApicId) inMadt = true;
                t.True(inMadt || Smp.Smp.EnabledInMadt <= 1, "cpu " + i + " (APIC id " + p.ApicId + ") is an enabled MADT processor");
                for (int k = 0; k < i; k++) t.True(Smp.Smp.Cpus[k].ApicId != p.ApicId, "cpus " + k + " and " + i + " have distinct APIC ids");
                if (i > 0)
                {
                    long us = (p.ArrivedNs - p.SipiNs) / 1000;
                    t.Note("cpu " + i + " (APIC id " + p.ApicId + "): first C# instruction " + us + " us after its first SIPI");
                    t.True(p.ArrivedNs > p.SipiNs, "cpu " + i + " ran after its SIPI");
                    t.True(p.ArrivedNs - p.SipiNs < Smp.Smp.CheckInNs, "cpu " + i + " arrived within the check-in time");
                }
            }
        }

        // The AP's rate, measured against the TSC over 2 ms, against the
        // boot CPU's (measured against the HPET, PM timer or PIT). QEMU
        // runs every APIC timer at one rate. Under -icount both are exact
        // to a few counts; plain emulation allows 2% (a host stall between
        // the paired reads).
        private static void Calibrated(Check t)
        {
            long bsp = (long)Time.Clock.ApicHz;
            long tolerancePpm = Kernel.KernelMain.Options.ExactClock ? 1000 : 20000;
            for (int i = 1; i < Smp.Smp.Count; i++)
            {
                long hz = Smp.Smp.Cpus[i].ApicHz;
                t.Note("cpu " + i + ": APIC timer " + hz + " Hz, boot CPU " + bsp + " Hz");
                long diff = hz > bsp ? hz - bsp : bsp - hz;
                t.True(hz > 0 && diff * 1000000 / bsp <= tolerancePpm, "cpu " + i + "'s APIC timer rate within " + tolerancePpm + " ppm of the boot CPU's (" + hz + " vs " + bsp + " Hz)");
            }
        }

        private static void TimerFires(Check t)
        {
            for (int i = 1; i < Smp.Smp.Count; i++)
            {
                Processor p = Smp.Smp.Cpus[i];
                bool done = Smp.Smp.RunOn(i, SmpCommands.TimerShots, Shots, ShotNs, WaitNs);
                if (!t.True(done, "cpu " + i + " finished its timer shots")) continue;
                t.Note("cpu " + i + ": " + p.Result0 + " one-shots of " + ShotNs + " ns in " + p.Result1 + " ns");
                t.Equal(Shots, p.Result0, "cpu " + i + " counted one interrupt per one-shot");
                // Each shot fires no earlier than its count: the total is at
                // least the shots' sum, less the calibration's own error.
                t.True(p.Result1 >= Shots * ShotNs * 98 / 100, "cpu " + i + "'s shots took at least their counts (" + p.Result1 + " ns)");
                // Under -icount nothing else delays them: within 1%.
                if (Kernel.KernelMain.Options.ExactClock)
                    t.True(p.Result1 <= Shots * ShotNs * 101 / 100, "cpu " + i + "'s shots took at most 1% more than their counts (" + p.Result1 + " ns)");
            }
        }

        private static void IpiRoundTrip(Check t)
        {
            for (int i = 1; i < Smp.Smp.Count; i++)
            {
                Processor p = Smp.Smp.Cpus[i];
                int pings0 = p.PingsReceived, pongs0 = p.PongsSent, back0 = Smp.Smp.PongsReceived;
                int answered = 0;
                long worst = 0;
                for (int r = 0; r < Rounds; r++)
                {
                    int before = Smp.Smp.PongsReceived;
                    long sent = Time.Clock.Now();
                    if (!t.True(Icr.SendFixed(p.ApicId, Smp.Smp.PingVector), "cpu " + i + "'s APIC accepted the IPI")) break;
                    while (Smp.Smp.PongsReceived == before && Time.Clock.Now() - sent < WaitNs) Cpu.Pause();
                    if (Smp.Smp.PongsReceived == before) break;
                    long took = Time.Clock.Now() - sent;
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
