using System.Runtime.CompilerServices;
using Osprey.Kernel.Arch;
using Osprey.Sched;
using Osprey.Sched.Analysis;

namespace Osprey.Kernel.Threading
{
    // Measures the kernel's own overheads at boot, per policy, for the
    // overhead-aware analysis (sched/analysis/Overheads.cs):
    //  - release and decision: the core's work (sched/measure/OverheadBench.cs)
    //    timed on this kernel's build of sched/, for each policy;
    //  - switch: the register and stack switch (osprey_switch) between the
    //    boot thread and a probe context, interrupts off;
    //  - timer entry and exit: a self-IPI through the same stub, dispatch and
    //    EOI path as the timer interrupt; the handler re-arms the one-shot for
    //    the timer's current expiry as the timer handler does.
    // Each figure is the worst of Samples samples, less the cost of one clock
    // read. Under -icount shift=0,sleep=off every figure repeats exactly.
    // The analysis uses them with a margin (Margin*): the samples run on a
    // small ready set (ReadyThreads) with warm caches, and the software
    // interrupt skips the timer's own delivery; a larger ready set deepens
    // the EDF trees logarithmically, which the percentage covers.
    internal static unsafe class OverheadProbe
    {
        internal const int Samples = 16;
        internal const int ReadyThreads = 8;
        internal const int MarginPercent = 50;
        internal const long MarginNs = 200;
        private const int Vector = 0xE0;

        // Raw worst cases per policy (OverheadBench.Policies order), and the
        // hardware paths shared by all policies.
        internal static long[] Release = new long[4], Decision = new long[4];
        internal static long SwitchNs, EntryNs, ExitNs;
        internal static bool Done;
        internal static string Error;

        private static ulong mainSp, probeSp;
        private static long probeStamp;
        private static long irqIn;
        private static int irqCount;

        private sealed class ProbeIrq : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                irqIn = Machine.Now();
                KernelPlatform p = Scheduling.Platform;
                long next = Scheduling.Core.Timers.NextExpiry;
                if (p.ArmedFor == next) p.ArmTimer(next);   // the timer handler's re-arm, same expiry
                irqCount++;
                Machine.EndOfInterrupt();
            }
        }

        // Runs every measurement (a few hundred thousand instructions). Called
        // once, from the boot thread, with the scheduler running and
        // interrupts enabled.
        internal static void Run()
        {
            long pair = ClockCost();
            for (int p = 0; p < OverheadBench.Policies.Length; p++)
            {
                string err;
                OverheadBench b = OverheadBench.Create(OverheadBench.Policies[p], ReadyThreads, out err);
                if (b == null) { Error = OverheadBench.Policies[p] + ": " + err; return; }
                for (int k = 0; k < 4; k++) b.Cycle();
                long rel = 0, dec = 0;
                for (int k = 0; k < Samples; k++)
                {
                    b.PrepareRelease();
                    long r = Timed(b, OverheadBench.OpRelease, pair);
                    long d1 = Timed(b, OverheadBench.OpDecision, pair);
                    err = b.Check(true);
                    b.PrepareJobEnd();
                    long e = Timed(b, OverheadBench.OpJobEnd, pair);
                    long d2 = Timed(b, OverheadBench.OpDecision, pair);
                    if (err == null) err = b.Check(false);
                    if (err != null) { Error = OverheadBench.Policies[p] + ": " + err; return; }
                    if (r + e > rel) rel = r + e;
                    if (d1 > dec) dec = d1;
                    if (d2 > dec) dec = d2;
                }
                Release[p] = rel;
                Decision[p] = dec;
            }
            SwitchNs = MeasureSwitch(pair);
            MeasureInterrupt(pair);
            Done = Error == null;
        }

        // The worst figures of a policy ("vcore" and the others as named in
        // OverheadBench.Policies), raw (margin false) or as the analysis uses
        // them (margin true); zeros when the probe did not run.
        internal static Overheads For(string policy, bool margin)
        {
            int p = -1;
            for (int i = 0; i < OverheadBench.Policies.Length; i++) if (OverheadBench.Policies[i] == policy) p = i;
            if (!Done || p < 0) return Overheads.None;
            Overheads o = Overheads.Make(Release[p], Decision[p], SwitchNs, EntryNs, ExitNs, "measured at boot");
            return margin ? o.WithMargin(MarginPercent, MarginNs) : o;
        }

        // The table printed at boot.
        internal static void Print()
        {
            if (!Done)
            {
                Log.WriteLine("osprey: overheads: not measured: " + (Error != null ? Error : "probe not run"));
                return;
            }
            Log.WriteLine("osprey: overheads (ns, worst of " + Samples + " samples; the analysis adds " + MarginPercent + "% + " + MarginNs
                + " ns): switch " + SwitchNs + ", timer entry " + EntryNs + ", timer exit " + ExitNs);
            for (int p = 0; p < OverheadBench.Policies.Length; p++)
                Log.WriteLine("osprey: overheads " + OverheadBench.Policies[p] + ": release " + Release[p] + ", decision " + Decision[p]
                    + ", switch " + SwitchNs + ", timer entry " + EntryNs + ", exit " + ExitNs);
        }

        private static long Timed(OverheadBench b, int op, long pair)
        {
            ulong f = Machine.DisableInterrupts();
            long t0 = Machine.Now();
            b.Perform(op);
            long t1 = Machine.Now();
            Machine.RestoreInterrupts(f);
            long d = t1 - t0 - pair;
            return d < 0 ? 0 : d;
        }

        // The cost of one clock read: the least of several back-to-back pairs.
        private static long ClockCost()
        {
            long best = long.MaxValue;
            for (int i = 0; i < 64; i++)
            {
                long a = Machine.Now(); long b = Machine.Now();
                if (b - a < best) best = b - a;
            }
            return best;
        }

        // The probe context: stamps the clock, switches back, forever.
        private static void ProbeLoop()
        {
            while (true)
            {
                probeStamp = Machine.Now();
                fixed (ulong* save = &probeSp) Machine.Switch(save, mainSp);
            }
        }

        // One switch = the time from before the switch into the probe to the
        // probe's stamp, less one clock read; the worst of Samples.
        private static long MeasureSwitch(long pair)
        {
            Stack s = Stack.Allocate(8192);
            if (s == null) { Error = "no stack for the switch probe"; return 0; }
            // A first frame for osprey_switch (its layout: [mxcsr|fcw] r15 r14
            // r13 r12 rbx rbp ret) that returns straight into ProbeLoop with
            // interrupts still off (Machine.InitialContext's trampoline would
            // enable them). Below the return slot a zero fake return address,
            // so ProbeLoop starts with the stack aligned as after a call
            // (rsp = 8 mod 16, System V ABI section 3.2.2).
            ulong* sp = (ulong*)(s.Top & ~15UL);
            *--sp = 0;                                                 // fake return address of ProbeLoop
            *--sp = (ulong)(delegate*<void>)&ProbeLoop;               // ret
            for (int i = 0; i < 6; i++) *--sp = 0;                    // rbp rbx r12 r13 r14 r15
            *--sp = 0x1F80UL | (0x037FUL << 32);                      // MXCSR and x87 FCW defaults
            probeSp = (ulong)sp;
            long worst = 0;
            ulong f = Machine.DisableInterrupts();
            for (int k = 0; k < Samples + 2; k++)
            {
                long t0 = Machine.Now();
                fixed (ulong* save = &mainSp) Machine.Switch(save, probeSp);
                long d = probeStamp - t0 - pair;
                if (k >= 2 && d > worst) worst = d;           // the first two warm up
            }
            Machine.RestoreInterrupts(f);
            return worst;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int IrqCount() { return irqCount; }

        // Entry: from before the self-IPI to the handler's first clock read;
        // exit: from there to the return to the interrupted code (the
        // handler's re-arm and EOI, the dispatch's exit path and iretq).
        private static void MeasureInterrupt(long pair)
        {
            Machine.RegisterHandler(Vector, new ProbeIrq());
            long inWorst = 0, outWorst = 0;
            for (int k = 0; k < Samples + 2; k++)
            {
                int before = irqCount;
                long t0 = Machine.Now();
                Machine.RaiseInterrupt(Vector);
                for (int spin = 0; spin < 100000 && IrqCount() == before; spin++) { }
                if (IrqCount() == before) { Error = "the probe interrupt was not delivered"; break; }
                long t1 = Machine.Now();
                long a = irqIn - t0 - pair, b = t1 - irqIn - pair;
                if (k < 2) continue;
                if (a > inWorst) inWorst = a;
                if (b > outWorst) outWorst = b;
            }
            Machine.UnregisterHandler(Vector);
            EntryNs = inWorst;
            ExitNs = outWorst;
        }
    }
}
