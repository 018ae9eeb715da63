using Osprey.Sched.Workload;

namespace Osprey.Kernel.Arch.Svm
{
    // The built-in guest images (kernel/vmm/guests, embedded by images.asm)
    // and the start of a workload guest with a real image: its RAM, the
    // image at guest-physical LoadAddress, entered in 32-bit protected mode
    // with EAX = vcpu id and EBX = RAM bytes.
    internal static unsafe class GuestImages
    {
        internal const ulong LoadAddress = 0x10000, StackTop = 0xF000;
        /// <summary>The results block the built-in images keep (kernel/vmm/guests/common.inc).</summary>
        internal const ulong Results = 0x1000;
        internal const ulong RMagic = Results + 0, RTicks = Results + 4, RMaxErr = Results + 8, RLastErr = Results + 12, RWork = Results + 16;
        internal const ulong RJobs = Results + 20, RMisses = Results + 24, RDeadline = Results + 28, RFirstTsc = Results + 32, RLastTsc = Results + 36;
        internal const ulong RErrSum = Results + 40, RLost = Results + 44;
        internal const ulong RCpuidMax = Results + 64, RCpuidSig = Results + 68, RCpuidKhz = Results + 80, RCpuidFeatures = Results + 84;
        internal const ulong RCpuid1Ecx = Results + 88, RCpuidExtEcx = Results + 92;
        internal const uint Magic = 0x4750534F;   // 'OSPG'

        /// <summary>The benchmark image (kernel/vmm/guests/exits.asm; no workload image): its gap counters.</summary>
        internal const int ExitsImage = 6;
        internal const ulong RGapMin = Results + 96, RGapMax = Results + 100, RGaps = Results + 104;

        // Ids of osprey_guest_image (images.asm).
        internal static int IdOf(GuestImage i)
        {
            switch (i)
            {
                case GuestImage.Hog: return 0;
                case GuestImage.Runaway: return 1;
                case GuestImage.Idle: return 2;
                case GuestImage.Wild: return 3;
                case GuestImage.Fault: return 4;
                case GuestImage.Periodic: return 5;
            }
            return -1;
        }

        /// <summary>Loads built-in image `image` into g's RAM and sets its entry state; false and `error` when not.</summary>
        internal static bool LoadBuiltIn(SvmGuest g, GuestImage image, out string error)
        {
            return LoadBuiltIn(g, IdOf(image), WorkloadSpec.ImageName(image), out error);
        }

        /// <summary>Built-in image number `id` of osprey_guest_image (ExitsImage too).</summary>
        internal static bool LoadBuiltIn(SvmGuest g, int id, string name, out string error)
        {
            error = null;
            ulong len = 0;
            byte* p = id < 0 ? null : SvmHw.GuestImage(id, &len);
            if (p == null) { error = "guest '" + g.Name + "': no built-in image " + name; return false; }
            if (!g.Memory.Load(LoadAddress, p, len)) { error = "guest '" + g.Name + "': image " + name + " does not fit in its RAM"; return false; }
            g.Start32(LoadAddress, (uint)g.VcpuId, (uint)g.Memory.Bytes, StackTop);
            return true;
        }

        /// <summary>
        /// The program of vcore `index` of guest `spec` with a real image:
        /// an SvmGuest, loaded and ready; null and `error` (the refusal) when
        /// it cannot run here.
        /// </summary>
        internal static SvmGuest Create(GuestSpec spec, int index, out string error)
        {
            string name = spec.Name;
            if (!SvmCpu.Usable) { error = SvmCpu.Refusal(name); return null; }
            int vcpu = spec.Vcores[index].VcpuId;
            SvmGuest g = SvmGuest.Create(spec.Vcores.Length > 1 ? name + "/" + vcpu : name, vcpu, spec.Vcores[index].Cpu,
                (ulong)spec.MemoryBytes, WorkloadSpec.ImageName(spec.Image), out error);
            if (g == null) return null;
            if (spec.Image == GuestImage.Osprey)
            {
                if (!OspreyImage(g, spec, out error)) { g.Release(); return null; }
                return g;
            }
            if (!LoadBuiltIn(g, spec.Image, out error)) { g.Release(); return null; }
            return g;
        }

        // The Osprey kernel as a guest (its ELF loader and multiboot block: OspreyGuestBoot.cs).
        private static bool OspreyImage(SvmGuest g, GuestSpec spec, out string error)
        {
            return OspreyGuestBoot.Load(g, spec, out error);
        }
    }
}
