using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    // Osprey as a guest of Osprey's own VMM: the paravirtual platform that
    // replaces the PC's timers and interrupt controllers (the interface is
    // described in kernel/README.md, "Osprey as a guest").
    //
    // Detect runs first thing at boot, before any other hardware access:
    // CPUID.01H:ECX[31] (hypervisor present) and hypervisor leaf 40000000H
    // with the signature "OspreyVMM" select the platform. Then:
    // - the TSC rate is CPUID 40000001H EAX (kHz): no calibration, no ACPI,
    //   HPET, PM timer or PIT;
    // - the one-shot timer is the VMMCALL SET_TIMER hypercall with an absolute
    //   TSC deadline and the timer vector; its interrupt needs no EOI;
    // - no local APIC, I/O APIC or 8259 is touched; a self-interrupt is a
    //   software INT n (held while interrupts are off, see RaiseInterrupt);
    // - COM1 is forwarded by the VMM (its loopback test is not run: the VMM
    //   reads back 0), the exit port 0xF4 is intercepted as under QEMU.
    // Without the signature Active stays false and nothing here runs.
    internal static unsafe class Paravirt
    {
        private const MethodImplOptions Call = MethodImplOptions.InternalCall;
        [MethodImpl(Call), RuntimeImport("*", "osprey_vmmcall")] private static extern long VmmCall(ulong function, ulong rbx, ulong rcx);
        [MethodImpl(Call), RuntimeImport("*", "osprey_soft_int")] private static extern void SoftInt(int vector);

        internal const uint LeafSignature = 0x40000000, LeafInfo = 0x40000001;
        // "OspreyVMM" and three zero bytes in EBX, ECX, EDX (little-endian).
        internal const uint SignatureEbx = 0x7270734F, SignatureEcx = 0x4D567965, SignatureEdx = 0x0000004D;
        internal const uint FeatureTimer = 1, FeatureConsole = 2;
        internal const ulong FunctionSetTimer = 1, FunctionExit = 2;

        // Plain fields without initializers: read before the runtime's
        // static data is set up (KernelMain step 2).
        internal static bool Active;
        internal static ulong TscKHz;
        internal static uint Features;
        internal static uint VcpuId;
        internal static long TimerCalls, TimerErrors;
        // Self-interrupts raised while interrupts were off, one bit per
        // vector (4 x 64), delivered when they are enabled again.
        private static ulong pending0, pending1, pending2, pending3;
        internal static bool HasPending;

        // Reads the hypervisor leaves; sets Active on the Osprey signature.
        // No allocation (runs before the heap).
        internal static void Detect()
        {
            Active = false;
            uint* r = stackalloc uint[4];
            Cpu.CpuId(0, 0, r);
            if (r[0] < 1) return;
            Cpu.CpuId(1, 0, r);
            if ((r[2] & (1u << 31)) == 0) return;       // no hypervisor: leaf 40000000H means nothing
            Cpu.CpuId(LeafSignature, 0, r);
            if (r[0] < LeafInfo || r[1] != SignatureEbx || r[2] != SignatureEcx || r[3] != SignatureEdx) return;
            Cpu.CpuId(LeafInfo, 0, r);
            TscKHz = r[0];
            Features = r[1];
            VcpuId = r[2];
            // A rate of 0 or no hypercall timer: this platform cannot run the
            // scheduler; the boot stops in StartTime with the reason.
            Active = true;
        }

        internal static bool ConsoleForwarded { get { return (Features & FeatureConsole) != 0; } }

        // The clock and the timer, replacing calibration and the APIC timer.
        internal static void StartTime()
        {
            CpuFeatures.Read();
            if (TscKHz == 0) Panic.Fail("paravirtual platform (OspreyVMM): CPUID 40000001H reports a TSC rate of 0 kHz");
            if ((Features & FeatureTimer) == 0) Panic.Fail("paravirtual platform (OspreyVMM): no VMMCALL timer (CPUID 40000001H EBX bit 0 clear)");
            ulong hz = TscKHz * 1000;
            // The APIC rate is not used here (ArmTimer takes TSC deadlines);
            // the TSC rate keeps the clock's conversions well defined.
            Time.Clock.Start(hz, hz);
            long r = VmmCall(FunctionSetTimer, 0, (ulong)ApicTimer.Vector);   // cancel: nothing armed yet
            if (r != 0) Panic.Fail("paravirtual platform (OspreyVMM): SET_TIMER cancel returned " + r.ToString());
            Log.Write("osprey: paravirtual platform (OspreyVMM), TSC "); Log.Udec(TscKHz); Log.Write(" kHz, vcpu "); Log.Udec(VcpuId);
            Log.Write(", cpu '"); Log.Write(CpuFeatures.Vendor); Log.WriteLine("', one-shot timer by VMMCALL");
        }

        // Interrupt at absolute time ns (Clock), never for long.MaxValue:
        // SET_TIMER with the TSC value at ns (0 cancels). A deadline already
        // passed fires as soon as the guest runs with interrupts enabled.
        internal static void ArmTimer(long ns)
        {
            ulong deadline = ns == long.MaxValue ? 0 : Time.Clock.TscAt(ns);
            // The virtual TSC starts at 0 with the guest: a deadline that
            // reads 0 would cancel instead of firing at once.
            if (deadline == 0 && ns != long.MaxValue) deadline = 1;
            TimerCalls++;
            if (VmmCall(FunctionSetTimer, deadline, (ulong)ApicTimer.Vector) != 0) TimerErrors++;
        }

        // A self-interrupt: INT n at once when interrupts are on (the handler
        // runs before this returns, as a self-IPI would arrive); held when
        // they are off and delivered by DeliverPending when they are enabled
        // again, so no handler runs inside a section that disabled them.
        internal static void RaiseInterrupt(int vector)
        {
            ulong flags = Cpu.SaveFlagsAndDisable();
            if ((flags & 0x200) != 0)
            {
                Cpu.RestoreFlags(flags);
                SoftInt(vector);
                return;
            }
            ulong bit = 1UL << (vector & 63);
            int word = (vector >> 6) & 3;
            if (word == 0) pending0 |= bit; else if (word == 1) pending1 |= bit; else if (word == 2) pending2 |= bit; else pending3 |= bit;
            HasPending = true;
        }

        // Interrupts are on: run the held self-interrupts, highest vector
        // first (the local APIC's order).
        internal static void DeliverPending()
        {
            while (true)
            {
                ulong flags = Cpu.SaveFlagsAndDisable();
                int v = TakeHighest();
                if (v < 0) HasPending = false;
                Cpu.RestoreFlags(flags);
                if (v < 0) return;
                SoftInt(v);
            }
        }

        private static int TakeHighest()
        {
            if (pending3 != 0) return 192 + Take(ref pending3);
            if (pending2 != 0) return 128 + Take(ref pending2);
            if (pending1 != 0) return 64 + Take(ref pending1);
            if (pending0 != 0) return Take(ref pending0);
            return -1;
        }

        private static int Take(ref ulong w)
        {
            int b = 63;
            while ((w & (1UL << b)) == 0) b--;
            w &= ~(1UL << b);
            return b;
        }

        // Ends this guest with `status` (the VMM records it), as a write to
        // port 0xF4 would.
        internal static void Exit(uint status) { VmmCall(FunctionExit, status, 0); }
    }
}
