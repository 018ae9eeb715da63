using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Arch.Svm
{
    // Where the guest cores (kernel/workload/GuestCores.cs) meet the VMM: a
    // vcore of a guest block with a real image gets an SvmGuest as its
    // program; its thread runs the guest with VMRUN instead of spinning.
    internal static class VmmCores
    {
        /// <summary>
        /// Vcore `index` of guest g: GuestFactory's for a synthetic program;
        /// for a real image an SvmGuest ready to run, or null with the
        /// refusal in `refusal` (no SVM, no memory).
        /// </summary>
        internal static Vcore Create(GuestSpec g, int index, ulong seed, int guestIndex, out string refusal)
        {
            refusal = null;
            if (!g.RealImage) return GuestFactory.Create(g, index, seed, guestIndex);
            SvmGuest p = GuestImages.Create(g, index, out refusal);
            if (p == null) return null;
            VcoreSpec c = g.Vcores[index];
            Vcore v = new Vcore(g.Name, c.VcpuId, c.Period, c.Slice, c.ExtraTime, g.DilationNum, g.DilationDen, p);
            v.Cpu = c.Cpu;
            v.Line = c.Line;
            return v;
        }

        /// <summary>True when v runs real guest code (its thread calls Run instead of spinning).</summary>
        internal static bool Real(Vcore v) { return v.Program is SvmGuest; }

        /// <summary>The guest core's share of the thread body after Step returned n &gt; 0: run the guest.</summary>
        internal static void Run(Vcore v, Thread self) { ((SvmGuest)v.Program).RunGuest(v, self); }

        /// <summary>
        /// The teardown of v's real guest (SvmGuest.Release: every frame and
        /// its ASID back), on the guest's own CPU once it has run, after its
        /// thread ended or when it never started. Null, or why frames stay.
        /// </summary>
        internal static string Release(Vcore v)
        {
            SvmGuest g = v == null ? null : v.Program as SvmGuest;
            return g == null ? null : g.Release();
        }

        /// <summary>True when v has a real guest whose frames are not all back yet.</summary>
        internal static bool Holds(Vcore v)
        {
            SvmGuest g = v == null ? null : v.Program as SvmGuest;
            return g != null && !g.Released;
        }

        /// <summary>The VMM's lines of the end-of-run report: one per guest core with a real image.</summary>
        internal static void PrintSummary(Vcore[] cores, int count)
        {
            bool any = false;
            for (int i = 0; i < count; i++)
            {
                SvmGuest g = cores[i].Program as SvmGuest;
                if (g == null) continue;
                if (!any) { Log.WriteLine(""); Log.WriteLine("real guests (" + SvmCpu.Describe() + "):"); any = true; }
                Log.WriteLine("  " + g.Summary());
                if (g.Kind == "osprey")
                {
                    Log.WriteLine("    guest's own report: " + g.Report.Summary());
                    if (g.Report.Analysis != null) Log.WriteLine("    host's analysis of its workload: " + g.Report.Analysis);
                }
                if (g.Read32(GuestImages.RMagic) == GuestImages.Magic)
                    Log.WriteLine("    guest's own count: ticks " + g.Read32(GuestImages.RTicks) + ", lost " + g.Read32(GuestImages.RLost)
                        + ", delivery error max " + g.Read32(GuestImages.RMaxErr) + " ns, mean "
                        + (g.Read32(GuestImages.RTicks) == 0 ? 0 : g.Read32(GuestImages.RErrSum) / g.Read32(GuestImages.RTicks))
                        + " ns (guest RDTSC in its handler - deadline), jobs " + g.Read32(GuestImages.RJobs) + ", misses " + g.Read32(GuestImages.RMisses)
                        + ", work " + g.Read32(GuestImages.RWork));
            }
        }
    }
}
