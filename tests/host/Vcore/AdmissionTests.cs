using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Analysis;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>Exact per-CPU admission of guest cores.</summary>
    [TestFixture]
    public class AdmissionTests
    {
        const long Us = 1000, Ms = 1000000, S = 1000000000;

        static Vcore Core(string name, long period, long slice, long num = 1, long den = 1)
        {
            return new Vcore(name, 0, period, slice, false, num, den, new HogProgram());
        }

        static VcoreStatus Try(VcoreRig r, Vcore v, out VcoreAdmission a)
        {
            VcoreThread t;
            return r.TryAdd(v, out a, out t);
        }

        [Test]
        public void ExactlyFullIsAccepted()
        {
            var r = new VcoreRig();
            r.Add(Core("a", 3 * Ms, 1 * Ms));
            r.Add(Core("b", 6 * Ms, 2 * Ms));
            r.Add(Core("c", 9 * Ms, 3 * Ms));   // 1/3 + 1/3 + 1/3 = 1 exactly (no decimal rounding)
            Assert.That(r.S.AdmittedText(), Does.StartWith("1/1 (100%"));
            VcoreAdmission a;
            Assert.That(Try(r, Core("d", 10 * S, 10 * Us), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.LeftNum, Is.EqualTo(0));
            Assert.That(a.Exact, Is.True);
            Assert.That(a.Message, Does.Contain("but only 0/1 (0%, 0 ppm) is left of the share 1/1 (100%, 1000000 ppm)"));
        }

        [Test]
        public void OneNanosecondOverIsRejected()
        {
            var r = new VcoreRig();
            r.Add(Core("a", 100 * Ms, 60 * Ms));
            VcoreAdmission a;
            Assert.That(Try(r, Core("b", 100 * Ms, 40 * Ms + 1), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.AskedNum, Is.EqualTo(40000001));
            Assert.That(a.AskedDen, Is.EqualTo(100000000));
            Assert.That(a.LeftNum, Is.EqualTo(2));
            Assert.That(a.LeftDen, Is.EqualTo(5));
            Assert.That(a.Field, Is.EqualTo("slice"));
            Assert.That(a.Message, Is.EqualTo("field 'slice': vcore b/0 on cpu 0: asks 40000001/100000000 (40%, 400000 ppm) of the CPU "
                + "(slice 40.000001ms per period 100ms at dilation 1/1) but only 2/5 (40%, 400000 ppm) is left of the share 1/1 (100%, 1000000 ppm)"));
            Assert.That(Try(r, Core("b", 100 * Ms, 40 * Ms), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
        }

        [Test]
        public void ConfiguredShareBoundsTheSum()
        {
            var r = new VcoreRig();
            Assert.That(r.S.SetShare(9, 10), Is.EqualTo(VcoreStatus.Ok));
            VcoreAdmission a;
            Assert.That(Try(r, Core("a", 100 * Ms, 90 * Ms + 1), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.Message, Does.Contain("is left of the share 9/10 (90%, 900000 ppm)"));
            Assert.That(Try(r, Core("a", 100 * Ms, 90 * Ms), out a), Is.EqualTo(VcoreStatus.Ok));
            Assert.That(r.S.SetShare(0, 1), Is.EqualTo(VcoreStatus.InvalidShare));
            Assert.That(r.S.SetShare(11, 10), Is.EqualTo(VcoreStatus.InvalidShare));
            // 87.5% from a file: 7/8.
            var r2 = new VcoreRig();
            r2.S.SetShare(875000, 1000000);
            Assert.That(r2.S.ShareNum, Is.EqualTo(7));
            Assert.That(r2.S.ShareDen, Is.EqualTo(8));
        }

        [Test]
        public void NoWholePercentTruncation()
        {
            // Palacios sums (100/tdf) * slice / period in whole percent: 33.9% counts as 33, so three
            // such cores "use" 99% and a fourth 1% core fits. Exactly, the third already does not.
            var r = new VcoreRig();
            r.Add(Core("a", 1000 * Us, 339 * Us));
            r.Add(Core("b", 1000 * Us, 339 * Us));
            VcoreAdmission a;
            Assert.That(Try(r, Core("c", 1000 * Us, 339 * Us), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.LeftNum, Is.EqualTo(161));
            Assert.That(a.LeftDen, Is.EqualTo(500));
            Assert.That(a.Message, Does.Contain("339/1000 (33.9%, 339000 ppm)"));
            Assert.That(a.Message, Does.Contain("only 161/500 (32.2%, 322000 ppm) is left"));
            // Small cores add up exactly: 100 cores of 1/300 leave exactly 2/3.
            var r2 = new VcoreRig(capacity: 128);
            for (int i = 0; i < 100; i++) r2.Add(Core("s" + i, 3 * Ms, 10 * Us));
            Assert.That(r2.S.AdmittedText(), Does.StartWith("1/3 (33.3333%"));
        }

        [Test]
        public void DilationScalesSliceAndPeriod()
        {
            var r = new VcoreRig();
            // guest time = host time x 2: a 100 ms guest period is 50 ms of host time, a 30 ms guest slice 15 ms of CPU.
            var fast = Core("fast", 100 * Ms, 30 * Ms, 2, 1);
            r.Add(fast);
            Assert.That(fast.SliceNs, Is.EqualTo(15 * Ms));
            Assert.That(fast.PeriodNs, Is.EqualTo(50 * Ms));
            Assert.That(fast.ShareNum, Is.EqualTo(3));
            Assert.That(fast.ShareDen, Is.EqualTo(10));
            // guest time = host time / 2 (a time dilation factor of 2 in Palacios' sense): 200 ms and 60 ms of host time.
            var slow = Core("slow", 100 * Ms, 30 * Ms, 1, 2);
            r.Add(slow);
            Assert.That(slow.SliceNs, Is.EqualTo(60 * Ms));
            Assert.That(slow.PeriodNs, Is.EqualTo(200 * Ms));
            Assert.That(r.S.AdmittedText(), Does.StartWith("3/5 (60%"));
            // 3/1: the slice is 10 ms / 3 = 3333333 ns of CPU (rounded down); the share is that exactly
            // over the 33.3333... ms host period: 3333333 x 3 / 100000000 = 9999999/100000000.
            var r3 = new VcoreRig();
            var third = Core("third", 100 * Ms, 10 * Ms, 3, 1);
            r3.Add(third);
            Assert.That(third.SliceNs, Is.EqualTo(3333333));
            Assert.That(third.ShareNum, Is.EqualTo(9999999));
            Assert.That(third.ShareDen, Is.EqualTo(100000000));
            r3.Add(Core("rest", 100 * Ms, 90 * Ms));
            VcoreAdmission a;
            Assert.That(Try(r3, Core("ns", 100 * Ms, 10 * Us), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.LeftNum, Is.EqualTo(1));
            Assert.That(a.LeftDen, Is.EqualTo(100000000));
            // The limits apply to host time: 150 us of guest time at 2/1 is a 75 us host period.
            Assert.That(Try(r3, Core("short", 150 * Us, 20 * Us, 2, 1), out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Field, Is.EqualTo("period"));
            Assert.That(a.Message, Does.Contain("period 150us (host 75us at dilation 2/1) is below the minimum 100us"));
            var r4 = new VcoreRig();
            Assert.That(Try(r4, Core("ok", 60 * Us, 10 * Us, 1, 2), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
        }

        [Test]
        public void RemoveThenAccept()
        {
            var r = new VcoreRig();
            var a1 = r.Add(Core("a", 100 * Ms, 70 * Ms));
            VcoreAdmission a;
            Assert.That(Try(r, Core("b", 100 * Ms, 40 * Ms), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.Message, Does.Contain("only 3/10 (30%, 300000 ppm) is left"));
            Assert.That(r.S.Remove(a1.Guest), Is.EqualTo(VcoreStatus.Ok));
            Assert.That(r.S.Remove(a1.Guest), Is.EqualTo(VcoreStatus.NotAttached));
            Assert.That(r.S.VcoreCount, Is.EqualTo(0));
            Assert.That(Try(r, Core("b", 100 * Ms, 40 * Ms), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
            r.Check();
        }

        [Test]
        public void ShrinkAlwaysSucceedsGrowthIsAdmitted()
        {
            var r = new VcoreRig();
            var a1 = r.Add(Core("a", 100 * Ms, 50 * Ms)).Guest;
            var b1 = r.Add(Core("b", 100 * Ms, 50 * Ms)).Guest;
            r.StartAll();
            r.Advance(10 * Ms);
            // Lower the share below what is admitted: the cores stay, nothing new fits.
            Assert.That(r.S.SetShare(1, 2), Is.EqualTo(VcoreStatus.Ok));
            VcoreAdmission a;
            Assert.That(r.S.SetReservation(a1, 100 * Ms, 40 * Ms, false, out a), Is.EqualTo(VcoreStatus.Ok));
            Assert.That(r.S.SetReservation(a1, 200 * Ms, 40 * Ms, false, out a), Is.EqualTo(VcoreStatus.Ok), "longer period, smaller share");
            Assert.That(r.S.SetReservation(a1, 200 * Ms, 60 * Ms, false, out a), Is.EqualTo(VcoreStatus.AdmissionRejected), "growth against an overcommitted CPU");
            Assert.That(a.Message, Does.Contain("only 0/1"));
            Assert.That(r.S.SetReservation(b1, 100 * Ms, 10 * Ms, true, out a), Is.EqualTo(VcoreStatus.Ok));
            // b's share dropped to 1/10: 1/2 - 1/10 = 2/5 left, a (1/5) may grow to 2/5 but not beyond.
            Assert.That(r.S.SetReservation(a1, 100 * Ms, 40 * Ms + 1, false, out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(r.S.SetReservation(a1, 100 * Ms, 40 * Ms, false, out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
            // Parameters outside the limits are refused even for a shrink.
            Assert.That(r.S.SetReservation(a1, 100 * Ms, 1 * Us, false, out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            r.Advance(500 * Ms);
            Assert.That(a1.SliceNs, Is.EqualTo(40 * Ms));
            Assert.That(b1.SliceNs, Is.EqualTo(10 * Ms));
            Assert.That(a1.Misses + b1.Misses, Is.EqualTo(0));
        }

        [Test]
        public void LimitsNameTheField()
        {
            var r = new VcoreRig();
            VcoreAdmission a;
            var v = Core("g", 50 * Us, 20 * Us);
            v.Line = 12;
            Assert.That(Try(r, v, out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Message, Is.EqualTo("line 12: field 'period': vcore g/0 on cpu 0: period 50us (host 50us at dilation 1/1) is below the minimum 100us"));
            Assert.That(Try(r, Core("g", 11 * S, 1 * Ms), out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Field, Is.EqualTo("period"));
            Assert.That(a.Message, Does.Contain("above the maximum 10s"));
            Assert.That(Try(r, Core("g", 1 * Ms, 9 * Us), out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Field, Is.EqualTo("slice"));
            Assert.That(a.Message, Does.Contain("slice 9us (host 9us at dilation 1/1) is below the minimum 10us"));
            Assert.That(Try(r, Core("g", 1 * Ms, 2 * Ms), out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Field, Is.EqualTo("slice"));
            Assert.That(Try(r, Core("g", 1 * Ms, 1 * Ms, 0, 1), out a), Is.EqualTo(VcoreStatus.InvalidParameters));
            Assert.That(a.Field, Is.EqualTo("dilation"));
            // A slice equal to the period (100%) and the extreme limits are fine.
            Assert.That(Try(r, Core("full", 10 * S, 10 * S), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
            var r2 = new VcoreRig();
            Assert.That(Try(r2, Core("min", 100 * Us, 10 * Us), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
            // Limits are configurable.
            r2.S.Limits.MinSliceNs = 1 * Us;
            Assert.That(Try(r2, Core("tiny", 1 * Ms, 1 * Us), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
        }

        [Test]
        public void InexactSumStillDecidesAwayFromTheBound()
        {
            // Periods that are distinct large primes: the exact sum's denominator overflows 62 bits
            // after three cores; the 2^-60 bounds still decide.
            long[] primes = { 999999937, 999999929, 999999893, 999999883, 999999797, 999999761 };
            var r = new VcoreRig();
            foreach (long p in primes) r.Add(Core("p" + p, p, p / 10));
            Utilization u;
            r.S.AdmittedShare(null, out u);
            Assert.That(u.Exact, Is.False);
            VcoreAdmission a;
            Assert.That(Try(r, Core("big", 100 * Ms, 50 * Ms), out a), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(a.Exact, Is.False);
            Assert.That(a.Message, Does.Contain("but only about 40"));
            Assert.That(Try(r, Core("small", 100 * Ms, 30 * Ms), out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
        }

        [Test]
        public void AttachMisuse()
        {
            var r = new VcoreRig(capacity: 2);
            var t1 = r.Add(Core("a", 10 * Ms, 1 * Ms));
            VcoreAdmission a;
            Assert.That(r.S.Attach(t1, Core("x", 10 * Ms, 1 * Ms), out a), Is.EqualTo(VcoreStatus.AlreadyAttached));
            Assert.That(r.S.Attach(new VcoreThread(99, t1.Guest), t1.Guest, out a), Is.EqualTo(VcoreStatus.AlreadyAttached));
            Assert.That(r.S.Attach(null, Core("x", 10 * Ms, 1 * Ms), out a), Is.EqualTo(VcoreStatus.NullArgument));
            r.Add(Core("b", 10 * Ms, 1 * Ms));
            VcoreThread t3;
            Assert.That(r.TryAdd(Core("c", 10 * Ms, 1 * Ms), out a, out t3), Is.EqualTo(VcoreStatus.TooManyVcores));
            Assert.That(r.S.Start(t1.Guest, 0), Is.EqualTo(VcoreStatus.Ok));
            Assert.That(r.S.Start(t1.Guest, 0), Is.EqualTo(VcoreStatus.AlreadyStarted));
            var other = new VcoreRig();
            Assert.That(other.S.Start(t1.Guest, 0), Is.EqualTo(VcoreStatus.NotAttached));
            Assert.That(other.S.Remove(t1.Guest), Is.EqualTo(VcoreStatus.NotAttached));
            // The scheduler is a table entry.
            string err;
            Assert.That(SchedulerTable.Create("vcore", out err), Is.InstanceOf<VcoreScheduler>());
            Assert.That(SchedulerTable.Names(), Is.EqualTo("priority, edf, cbs, vcore, gedf"));
        }
    }
}
