using NUnit.Framework;
using Osprey.Kernel.Vmm;

namespace Osprey.Tests.Vmm
{
    [TestFixture]
    public class OspreyGuestReportTests
    {
        [Test]
        public void Reads_the_guests_totals_and_self_test_summary()
        {
            var r = new OspreyGuestReport();
            Assert.That(r.Summary(), Is.EqualTo("it did not report the paravirtual platform"));
            r.See("osprey: paravirtual platform (OspreyVMM), TSC 1000000 kHz, vcpu 0, cpu 'AuthenticAMD', one-shot timer by VMMCALL");
            r.See("a                periodic     0   10       16       15       0 1.008805ms");
            r.See("total: 21 jobs, 3 deadline misses, 40 switches, idle 261.156567ms");
            r.See("# selftest: pass=17 fail=1 skip=2 total=20");
            Assert.That(r.Paravirtual, Is.True);
            Assert.That((r.TotalSeen, r.Jobs, r.Misses), Is.EqualTo((true, 21L, 3L)));
            Assert.That((r.SelfTestSeen, r.Pass, r.Fail, r.Skip, r.Total), Is.EqualTo((true, 17L, 1L, 2L, 20L)));
            Assert.That(r.Summary(), Is.EqualTo("its workload: 21 jobs, 3 deadline misses; its self-tests: pass=17 fail=1 skip=2 total=20"));
        }

        [Test]
        public void Ignores_lines_that_only_start_alike_and_keeps_a_panic()
        {
            var r = new OspreyGuestReport();
            r.See("total: lots of jobs");
            r.See("# selftest: pass=x");
            r.See(null);
            Assert.That(r.TotalSeen || r.SelfTestSeen, Is.False);
            r.See("osprey: PANIC: out of memory");
            Assert.That(r.PanicLine, Is.EqualTo("osprey: PANIC: out of memory"));
            Assert.That(r.Summary(), Does.Contain("it panicked: 'osprey: PANIC: out of memory'"));
        }
    }
}
