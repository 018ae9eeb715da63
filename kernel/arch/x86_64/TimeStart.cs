using Osprey.Kernel.Acpi;
using Osprey.Kernel.Time;

namespace Osprey.Kernel.Arch
{
    // Machine.StartTime: CPUID, the local APIC, calibration against the
    // chosen reference, the clock and the one-shot timer; one log line
    // naming what was found.
    internal static class TimeStart
    {
        internal static void Run(CalibrationSource mode, AcpiInfo acpi)
        {
            CpuFeatures.Read();
            LocalApic.Initialize(true);
            InterruptDispatch.Register(LocalApic.ErrorVector, new ApicErrorHandler());
            Calibration.Run(mode, acpi);
            if (Calibration.Skipped != null) Log.WriteLine("osprey: timer calibration skipped " + Calibration.Skipped);
            Clock.Start(Calibration.TscHz, Calibration.ApicHz);
            ApicTimer.Initialize(true);
            Log.Write("osprey: cpu '"); Log.Write(CpuFeatures.Vendor); Log.Write("', local APIC id "); Log.Udec(LocalApic.Id);
            Log.Write(LocalApic.IsX2Apic ? " (x2APIC)" : " (xAPIC at "); if (!LocalApic.IsX2Apic) { Log.Hex(LocalApic.PhysicalBase, 8); Log.Write(")"); }
            Log.Write(", TSC "); Log.Fixed((long)(Calibration.TscHz / 1000), 3); Log.Write(" MHz (spread ");
            Log.Udec(Calibration.TscSpreadHz / 1000); Log.Write(" kHz)");
            Log.Write(CpuFeatures.InvariantTsc ? " invariant" : " not invariant");
            Log.Write(", APIC timer "); Log.Fixed((long)(Calibration.ApicHz / 1000), 3); Log.Write(" MHz");
            Log.Write(" (against the "); Log.Write(ReferenceName(Calibration.Source)); Log.Write(" at ");
            Log.Fixed((long)(Calibration.ReferenceHz / 1000), 3); Log.Write(" MHz)");
            Log.Write(ApicTimer.TscDeadlineMode ? ", one-shot in TSC-deadline mode" : ", one-shot in APIC count mode");
            Log.Write(CpuFeatures.Arat ? ", ARAT" : ", no ARAT");
            if (CpuFeatures.TscHzFromCpuid != 0) { Log.Write(", CPUID 15H says "); Log.Udec(CpuFeatures.TscHzFromCpuid / 1000); Log.Write(" kHz"); }
            Log.WriteLine("");
        }

        internal static string ReferenceName(CalibrationSource s)
        {
            if (s == CalibrationSource.Hpet) return "HPET";
            if (s == CalibrationSource.PmTimer) return "ACPI PM timer";
            return "8254 PIT";
        }
    }
}
