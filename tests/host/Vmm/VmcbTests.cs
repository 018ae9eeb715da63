using NUnit.Framework;
using Osprey.Kernel.Vmm;

namespace Osprey.Tests.Vmm
{
    // The VMCB layout against AMD APM vol. 2 appendix B (tables B-1, B-2),
    // and the builder's control and 32-bit entry states.
    [TestFixture]
    public unsafe class VmcbTests
    {
        [Test]
        public void Offsets_match_the_manual()
        {
            Assert.That(VmcbField.InterceptMisc1, Is.EqualTo(0x0C));
            Assert.That(VmcbField.InterceptMisc2, Is.EqualTo(0x10));
            Assert.That(VmcbField.IopmBasePa, Is.EqualTo(0x40));
            Assert.That(VmcbField.MsrpmBasePa, Is.EqualTo(0x48));
            Assert.That(VmcbField.GuestAsid, Is.EqualTo(0x58));
            Assert.That(VmcbField.TlbControl, Is.EqualTo(0x5C));
            Assert.That(VmcbField.IntControl, Is.EqualTo(0x60));
            Assert.That(VmcbField.ExitCode, Is.EqualTo(0x70));
            Assert.That(VmcbField.ExitInfo1, Is.EqualTo(0x78));
            Assert.That(VmcbField.ExitInfo2, Is.EqualTo(0x80));
            Assert.That(VmcbField.ExitIntInfo, Is.EqualTo(0x88));
            Assert.That(VmcbField.NpEnable, Is.EqualTo(0x90));
            Assert.That(VmcbField.EventInj, Is.EqualTo(0xA8));
            Assert.That(VmcbField.NestedCr3, Is.EqualTo(0xB0));
            Assert.That(VmcbField.CleanBits, Is.EqualTo(0xC0));
            Assert.That(VmcbField.NextRip, Is.EqualTo(0xC8));
            Assert.That(new[] { VmcbField.Es, VmcbField.Cs, VmcbField.Ss, VmcbField.Ds, VmcbField.Fs, VmcbField.Gs, VmcbField.Gdtr, VmcbField.Ldtr, VmcbField.Idtr, VmcbField.Tr },
                Is.EqualTo(new[] { 0x400, 0x410, 0x420, 0x430, 0x440, 0x450, 0x460, 0x470, 0x480, 0x490 }));
            Assert.That(VmcbField.Cpl, Is.EqualTo(0x4CB));
            Assert.That(VmcbField.Efer, Is.EqualTo(0x4D0));
            Assert.That(new[] { VmcbField.Cr4, VmcbField.Cr3, VmcbField.Cr0, VmcbField.Dr7, VmcbField.Dr6, VmcbField.Rflags, VmcbField.Rip },
                Is.EqualTo(new[] { 0x548, 0x550, 0x558, 0x560, 0x568, 0x570, 0x578 }));
            Assert.That(VmcbField.Rsp, Is.EqualTo(0x5D8));
            Assert.That(VmcbField.Rax, Is.EqualTo(0x5F8));
            Assert.That(VmcbField.Star, Is.EqualTo(0x600));
            Assert.That(VmcbField.KernelGsBase, Is.EqualTo(0x620));
            Assert.That(VmcbField.SysenterEip, Is.EqualTo(0x638));
            Assert.That(VmcbField.Cr2, Is.EqualTo(0x640));
            Assert.That(VmcbField.GPat, Is.EqualTo(0x668));
        }

        [Test]
        public void Control_area_intercepts_asid_maps_and_nested_paging()
        {
            byte[] page = new byte[4096];
            fixed (byte* p = page)
            {
                Vmcb v = new Vmcb(p);
                v.InitControl(3, 0x123000, 0x456000, 0x789000);
                uint m1 = *(uint*)(p + 0x0C), m2 = *(uint*)(p + 0x10);
                // INTR 0, NMI 1, RDTSC 14, CPUID 18, HLT 24, IOIO 27, MSR 28, SHUTDOWN 31; VMRUN 0, VMMCALL 1, RDTSCP 7.
                foreach (int bit in new[] { 0, 1, 14, 18, 24, 27, 28, 31 }) Assert.That(m1 & (1u << bit), Is.Not.Zero, "vector 3 bit " + bit);
                foreach (int bit in new[] { 0, 1, 7, 13 }) Assert.That(m2 & (1u << bit), Is.Not.Zero, "vector 4 bit " + bit + " (13: XSETBV)");
                Assert.That(*(ulong*)(p + 0x40), Is.EqualTo(0x123000UL));
                Assert.That(*(ulong*)(p + 0x48), Is.EqualTo(0x456000UL));
                Assert.That(*(uint*)(p + 0x58), Is.EqualTo(3u));
                Assert.That(p[0x5C], Is.EqualTo(1), "TLB flushed on the first run");
                Assert.That(*(ulong*)(p + 0x60) & (1UL << 24), Is.Not.Zero, "V_INTR_MASKING");
                Assert.That(*(ulong*)(p + 0x90) & 1, Is.EqualTo(1UL), "NP_ENABLE");
                Assert.That(*(ulong*)(p + 0xB0), Is.EqualTo(0x789000UL));
            }
        }

        [Test]
        public void Protected_mode_entry_state()
        {
            byte[] page = new byte[4096];
            fixed (byte* p = page)
            {
                Vmcb v = new Vmcb(p);
                v.InitProtectedMode32(0x10000, 0xF000, 0x2BADB002);
                Assert.That(*(ushort*)(p + 0x410), Is.EqualTo((ushort)0x08), "CS selector");
                Assert.That(*(ushort*)(p + 0x412), Is.EqualTo((ushort)0xC9B), "CS attributes: present code, 32-bit, 4 KiB granularity");
                Assert.That(*(uint*)(p + 0x414), Is.EqualTo(0xFFFFFFFFu), "CS limit");
                Assert.That(*(ushort*)(p + 0x430), Is.EqualTo((ushort)0x10), "DS selector");
                Assert.That(*(ushort*)(p + 0x432), Is.EqualTo((ushort)0xC93));
                Assert.That(*(ulong*)(p + 0x4D0), Is.EqualTo(1UL << 12), "EFER.SVME only");
                Assert.That(*(ulong*)(p + 0x558), Is.EqualTo(0x11UL), "CR0: PE, ET; paging off");
                Assert.That(*(ulong*)(p + 0x570), Is.EqualTo(2UL), "RFLAGS: IF clear");
                Assert.That(*(ulong*)(p + 0x578), Is.EqualTo(0x10000UL));
                Assert.That(*(ulong*)(p + 0x5D8), Is.EqualTo(0xF000UL));
                Assert.That(*(ulong*)(p + 0x5F8), Is.EqualTo(0x2BADB002UL));
                Assert.That(v.LongMode, Is.False);
            }
        }

        [Test]
        public void Virtual_interrupt_word()
        {
            byte[] page = new byte[4096];
            fixed (byte* p = page)
            {
                Vmcb v = new Vmcb(p);
                v.InitControl(1, 0, 0, 0);
                v.RaiseVirtualInterrupt(0x41);
                ulong c = *(ulong*)(p + 0x60);
                Assert.That(c & (1UL << 8), Is.Not.Zero, "V_IRQ");
                Assert.That((c >> 16) & 15, Is.EqualTo(15UL), "priority 15");
                Assert.That(c & (1UL << 20), Is.Not.Zero, "V_IGN_TPR");
                Assert.That(c & (1UL << 24), Is.Not.Zero, "V_INTR_MASKING kept");
                Assert.That((c >> 32) & 0xFF, Is.EqualTo(0x41UL), "vector");
                Assert.That(v.VirtualInterruptPending, Is.True);
                v.ClearVirtualInterrupt();
                Assert.That(v.VirtualInterruptPending, Is.False);
            }
        }
    }

    [TestFixture]
    public unsafe class NestedPageTableTests
    {
        const ulong TablesPa = 0x40000000;

        static void With(int pages, System.Action<NestedPageTableHolder> body)
        {
            byte[] buf = new byte[(pages + 1) * 4096];
            fixed (byte* b = buf)
            {
                byte* aligned = (byte*)(((ulong)b + 4095) & ~4095UL);
                body(new NestedPageTableHolder(new NestedPageTable(aligned, TablesPa, pages), aligned));
            }
        }

        public sealed class NestedPageTableHolder
        {
            public NestedPageTable T;
            public byte* Base;
            public NestedPageTableHolder(NestedPageTable t, byte* b) { T = t; Base = b; }
        }

        [Test]
        public void Four_KiB_pages_walk_back()
        {
            ulong bytes = 4UL << 20, hpa = 0x12345000;
            int pages = NestedPageTable.TablePagesFor(bytes, false);
            With(pages, h =>
            {
                Assert.That(h.T.Map(0, hpa, bytes, false), Is.True);
                for (ulong g = 0; g < bytes; g += 0x1000 * 37)
                {
                    Assert.That(h.T.Translate(g + 0x123, out ulong x), Is.True, "gpa " + g);
                    Assert.That(x, Is.EqualTo(hpa + g + 0x123));
                }
                Assert.That(h.T.Translate(bytes, out _), Is.False, "the first byte past the RAM is unmapped");
                Assert.That(h.T.Translate(0xFEE00000, out _), Is.False, "nothing of the host (its APIC) is mapped");
                Assert.That(h.T.PagesUsed, Is.EqualTo(1 + 1 + 1 + 2), "PML4, PDPT, PD and two page tables");
                // Every entry on the way is present, writable and user (the nested walk's accesses are user accesses).
                ulong pml4e = *(ulong*)h.Base;
                Assert.That(pml4e & 7, Is.EqualTo(7UL));
                Assert.That(h.T.Root, Is.EqualTo(TablesPa));
            });
        }

        [Test]
        public void Two_MiB_pages_where_aligned_and_4_KiB_for_the_tail()
        {
            ulong bytes = (4UL << 20) + 0x3000, hpa = 0x80000000;
            int pages = NestedPageTable.TablePagesFor(bytes, true);
            With(pages, h =>
            {
                Assert.That(h.T.Map(0, hpa, bytes, true), Is.True);
                Assert.That(h.T.Translate(0x1FFFFF, out ulong a), Is.True);
                Assert.That(a, Is.EqualTo(hpa + 0x1FFFFF));
                Assert.That(h.T.Translate(0x400000 + 0x2FFF, out ulong b), Is.True);
                Assert.That(b, Is.EqualTo(hpa + 0x400000 + 0x2FFF));
                Assert.That(h.T.Translate(0x403000, out _), Is.False);
                // PD entry 0 is a large page; PD entry 2 points at a page table.
                ulong* pd = (ulong*)(h.Base + 2 * 4096);
                Assert.That(pd[0] & 0x80, Is.EqualTo(0x80UL), "2 MiB page");
                Assert.That(pd[2] & 0x80, Is.Zero, "the tail through a page table");
            });
        }

        // Every page of the region's used part is zero (the teardown cleared each table it reached).
        static bool UsedPagesZero(NestedPageTableHolder h, int pages)
        {
            for (int i = 0; i < pages * 512; i++) if (((ulong*)h.Base)[i] != 0) return false;
            return true;
        }

        [Test]
        public void Teardown_reaches_every_table_of_every_level()
        {
            // Three PML4 slots (0, 1 and 511: 512 GiB apart), in slot 0 two PDPT
            // entries (a range across the 1 GiB line), 4 KiB pages: 3 PDPTs,
            // 4 PDs and 6 PTs (three under PD 0) below the PML4.
            With(16, h =>
            {
                Assert.That(h.T.Map((1UL << 30) - 0x2000, 0x200000, 0x4000, false), Is.True, "across 1 GiB");
                Assert.That(h.T.Map(0, 0x300000, 0x1000, false), Is.True, "gpa 0");
                Assert.That(h.T.Map(0x201000, 0x400000, 0x1000, false), Is.True, "a second PT under PD 0");
                Assert.That(h.T.Map(512UL << 30, 0x500000, 0x1000, false), Is.True, "PML4 slot 1");
                Assert.That(h.T.Map(511UL << 39, 0x600000, 0x1000, false), Is.True, "PML4 slot 511");
                int used = h.T.PagesUsed;
                Assert.That(used, Is.EqualTo(1 + 3 + 4 + 6));
                Assert.That(h.T.Teardown(), Is.EqualTo(used), "every table page reached once");
                Assert.That(UsedPagesZero(h, used), Is.True, "every entry of every level cleared");
                Assert.That(h.T.PagesUsed, Is.EqualTo(1), "only the PML4 is left");
                Assert.That(h.T.Translate(0, out _), Is.False);
                Assert.That(h.T.Translate(511UL << 39, out _), Is.False);
                // The region builds a table again from its start.
                Assert.That(h.T.Map(0, 0x300000, 0x1000, false), Is.True);
                Assert.That(h.T.PagesUsed, Is.EqualTo(4));
                Assert.That(h.T.Teardown(), Is.EqualTo(4));
            });
        }

        [Test]
        public void Teardown_does_not_follow_large_pages()
        {
            // 2 MiB leaves point at guest RAM far outside the region: following one as a table would be caught as corrupt.
            ulong bytes = (4UL << 20) + 0x3000;
            int pages = NestedPageTable.TablePagesFor(bytes, true);
            With(pages, h =>
            {
                Assert.That(h.T.Map(0, 0x80000000, bytes, true), Is.True);
                int used = h.T.PagesUsed;
                Assert.That(used, Is.EqualTo(1 + 1 + 1 + 1), "PML4, PDPT, PD, the tail's PT");
                Assert.That(h.T.Teardown(), Is.EqualTo(used));
                Assert.That(UsedPagesZero(h, used), Is.True);
            });
        }

        [Test]
        public void Teardown_of_a_corrupt_table_says_so()
        {
            With(8, h =>
            {
                Assert.That(h.T.Map(0, 0x300000, 0x1000, false), Is.True);
                // The PDPT's entry 0 pointed outside the region.
                ulong* pdpt = (ulong*)(h.Base + 4096);
                pdpt[0] = 0x7000000 | 7;
                Assert.That(h.T.Teardown(), Is.EqualTo(-1));
            });
        }

        [Test]
        public void Full_region_is_refused_not_overrun()
        {
            With(3, h => Assert.That(h.T.Map(0, 0x100000, 4UL << 20, false), Is.False));
        }
    }

    [TestFixture]
    public class SvmExitTests
    {
        [TestCase(0x60u, ExitAction.HostInterrupt)]
        [TestCase(0x61u, ExitAction.HostInterrupt)]
        [TestCase(0x62u, ExitAction.HostInterrupt)]
        [TestCase(0x63u, ExitAction.HostInterrupt)]
        [TestCase(0x78u, ExitAction.Hlt)]
        [TestCase(0x7Bu, ExitAction.Ioio)]
        [TestCase(0x7Cu, ExitAction.Msr)]
        [TestCase(0x72u, ExitAction.Cpuid)]
        [TestCase(0x81u, ExitAction.Vmmcall)]
        [TestCase(0x6Eu, ExitAction.Rdtsc)]
        [TestCase(0x87u, ExitAction.Rdtscp)]
        [TestCase(0x400u, ExitAction.NestedPageFault)]
        [TestCase(0x7Fu, ExitAction.Shutdown)]
        [TestCase(0x80u, ExitAction.SvmInstruction)]
        [TestCase(0x82u, ExitAction.SvmInstruction)]
        [TestCase(0x83u, ExitAction.SvmInstruction)]
        [TestCase(0x84u, ExitAction.SvmInstruction)]
        [TestCase(0x85u, ExitAction.SvmInstruction)]
        [TestCase(0x86u, ExitAction.SvmInstruction)]
        [TestCase(0x4Du, ExitAction.Unexpected)]
        [TestCase(0x76u, ExitAction.Unexpected)]
        [TestCase(0x7Du, ExitAction.Unexpected)]
        [TestCase(0x1234u, ExitAction.Unexpected)]
        public void Decode(uint code, ExitAction expected)
        {
            Assert.That(SvmExit.Decode(code), Is.EqualTo(expected));
        }

        [Test]
        public void Invalid_is_the_low_32_bits_of_minus_one()
        {
            Assert.That(SvmExit.Decode(0xFFFFFFFFUL), Is.EqualTo(ExitAction.Invalid));
            Assert.That(SvmExit.Decode(ulong.MaxValue), Is.EqualTo(ExitAction.Invalid));
        }

        [Test]
        public void Names()
        {
            Assert.That(SvmExit.Name(0x4D), Is.EqualTo("exception 13"));
            Assert.That(SvmExit.Name(0x400), Is.EqualTo("nested page fault"));
            Assert.That(SvmExit.Name(0x1234), Is.EqualTo("0x1234"));
        }

        [Test]
        public void Io_exit_info()
        {
            // OUT dx, al to 0x3F8: type 0 (out), SZ8 (bit 4), port in 31:16.
            IoExitInfo o = IoExitInfo.Decode((0x3F8UL << 16) | 0x10);
            Assert.That(o.In, Is.False);
            Assert.That(o.Size, Is.EqualTo(1));
            Assert.That(o.Port, Is.EqualTo((ushort)0x3F8));
            IoExitInfo i = IoExitInfo.Decode((0x3FDUL << 16) | 0x20 | 1);
            Assert.That(i.In, Is.True);
            Assert.That(i.Size, Is.EqualTo(2));
            IoExitInfo s = IoExitInfo.Decode((0x60UL << 16) | 0x40 | 4 | 8);
            Assert.That(s.Size, Is.EqualTo(4));
            Assert.That(s.String && s.Rep, Is.True);
        }
    }

    [TestFixture]
    public unsafe class PermissionMapTests
    {
        [Test]
        public void Io_bits_one_per_port()
        {
            byte[] m = new byte[IoPermissionMap.Bytes];
            fixed (byte* p = m)
            {
                IoPermissionMap.Set(p, 0x3F8, true);
                Assert.That(m[0x3F8 / 8], Is.EqualTo(1 << (0x3F8 % 8)));
                Assert.That(IoPermissionMap.Intercepted(p, 0x3F8), Is.True);
                Assert.That(IoPermissionMap.Intercepted(p, 0x3F9), Is.False);
                IoPermissionMap.Set(p, 0xFFFF, true);
                Assert.That(m[0x1FFF] & 0x80, Is.Not.Zero);
                IoPermissionMap.Fill(p, true);
                IoPermissionMap.Set(p, 0x80, false);
                Assert.That(IoPermissionMap.Intercepted(p, 0x80), Is.False);
                Assert.That(IoPermissionMap.Intercepted(p, 0x81), Is.True);
                Assert.That(m.Length, Is.EqualTo(12 * 1024));
            }
        }

        [Test]
        public void Msr_bits_two_per_msr_in_three_ranges()
        {
            Assert.That(MsrPermissionMap.BitOf(0), Is.EqualTo(0));
            Assert.That(MsrPermissionMap.BitOf(0x1FFF), Is.EqualTo(0x1FFF * 2));
            Assert.That(MsrPermissionMap.BitOf(0xC0000080), Is.EqualTo(0x800 * 8 + 0x80 * 2));
            Assert.That(MsrPermissionMap.BitOf(0xC0010117), Is.EqualTo(0x1000 * 8 + 0x117 * 2));
            Assert.That(MsrPermissionMap.BitOf(0x2000), Is.EqualTo(-1));
            Assert.That(MsrPermissionMap.BitOf(0xC0002000), Is.EqualTo(-1));
            byte[] m = new byte[MsrPermissionMap.Bytes];
            fixed (byte* p = m)
            {
                MsrPermissionMap.Set(p, 0xC0000080, false, true);
                int b = 0x800 * 8 + 0x80 * 2;
                Assert.That((m[b >> 3] >> (b & 7)) & 1, Is.Zero, "read bit");
                Assert.That((m[(b + 1) >> 3] >> ((b + 1) & 7)) & 1, Is.EqualTo(1), "write bit");
                Assert.That(MsrPermissionMap.ReadIntercepted(p, 0xC0000080), Is.False);
                Assert.That(MsrPermissionMap.WriteIntercepted(p, 0xC0000080), Is.True);
                Assert.That(MsrPermissionMap.ReadIntercepted(p, 0x40000000), Is.True, "outside the map: always intercepted");
            }
        }
    }

    [TestFixture]
    public class PvAbiTests
    {
        [Test]
        public void Signature_spells_OspreyVMM()
        {
            byte[] b = new byte[12];
            System.BitConverter.GetBytes(PvAbi.SignatureEbx).CopyTo(b, 0);
            System.BitConverter.GetBytes(PvAbi.SignatureEcx).CopyTo(b, 4);
            System.BitConverter.GetBytes(PvAbi.SignatureEdx).CopyTo(b, 8);
            Assert.That(b, Is.EqualTo(System.Text.Encoding.ASCII.GetBytes("OspreyVMM\0\0\0")));
        }

        [Test]
        public void Tsc_and_ns_round_trip()
        {
            foreach (long ns in new long[] { 0, 1, 999, 1000000, 123456789012 })
                Assert.That(PvAbi.NsOfTsc(PvAbi.TscOfNs(ns)), Is.EqualTo(ns));
        }

        [Test]
        public void Legacy_deadline_widened_near_now()
        {
            ulong now = 0x1_FFFF_FF00UL;
            Assert.That(PvAbi.Widen32(0x00000100, now), Is.EqualTo(0x2_0000_0100UL), "just after a wrap");
            Assert.That(PvAbi.Widen32(0xFFFFFE00, now), Is.EqualTo(0x1_FFFF_FE00UL), "just passed");
            Assert.That(PvAbi.Widen32(0x10, 0x20), Is.EqualTo(0x10UL));
        }

        [Test]
        public void Console_collects_lines()
        {
            GuestConsole c = new GuestConsole();
            foreach (char ch in "hi\r") Assert.That(c.Put((byte)ch), Is.False);
            Assert.That(c.Put((byte)'\n'), Is.True);
            Assert.That(c.Take(), Is.EqualTo("hi"));
            Assert.That(GuestConsole.Read(0x3FD), Is.EqualTo(0x60));
            Assert.That(GuestConsole.Read(0x3F8), Is.EqualTo(0));
            Assert.That(GuestConsole.IsCom1(0x3FF) && !GuestConsole.IsCom1(0x400), Is.True);
        }
    }
}
