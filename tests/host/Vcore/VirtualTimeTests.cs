using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>Virtual clocks, virtual timers, dilation, and periodic guests.</summary>
    [TestFixture]
    public class VirtualTimeTests
    {
        const long Us = 1000, Ms = 1000000, S = 1000000000;

        [TestCase(1, 2, 500)]
        [TestCase(1, 1, 1000)]
        [TestCase(2, 1, 2000)]
        [TestCase(3, 1, 3000)]
        public void DilationScalesTheClockRate(long num, long den, long guestMsAfterOneSecond)
        {
            var r = new VcoreRig();
            var prog = new IdleProgram { TickNs = 10 * Ms, WorkGuestNs = 200 * Us };
            var v = r.Add("g", 100 * Ms, 20 * Ms, false, prog, num, den).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            Assert.That(v.VirtualNow(), Is.EqualTo(guestMsAfterOneSecond * Ms));
            // The guest's 10 ms tick comes every 10 x den / num ms of host time.
            Assert.That(prog.Ticks, Is.EqualTo(guestMsAfterOneSecond / 10));
            Assert.That(prog.LostTicks, Is.EqualTo(0));
            Assert.That(v.IrqErrorMax, Is.LessThan(num / den + 1), "within one host nanosecond");
            Assert.That(v.Misses, Is.EqualTo(0));
        }

        [Test]
        public void DilationTwoHalvesTheRateOfTheGuestClock()
        {
            // "Dilation 2" in Palacios' sense is a time dilation factor: the guest clock
            // runs at half speed, dilation=1/2 in the workload file (guest = host x num / den).
            var r = new VcoreRig();
            var plain = r.Add("plain", 10 * Ms, 1 * Ms, false, new HogProgram()).Guest;
            var dilated = r.Add("dilated", 10 * Ms, 1 * Ms, false, new HogProgram(), 1, 2).Guest;
            r.StartAll();
            for (int k = 1; k <= 10; k++)
            {
                r.RunUntil(k * 77 * Ms + 13);
                Assert.That(dilated.VirtualNow() * 2, Is.InRange(plain.VirtualNow() - 1, plain.VirtualNow()));
            }
        }

        [Test]
        public void VirtualClockAndHostTimeAreInverse()
        {
            ulong rng = 12345;
            long[] nums = { 1, 1, 2, 3, 7, 1000000, 999983 };
            long[] dens = { 1, 2, 1, 1, 3, 1, 1000000 };
            for (int i = 0; i < nums.Length; i++)
            {
                var v = new Vcore("x", 0, 10 * Ms, 1 * Ms, false, nums[i], dens[i], new HogProgram());
                v.HostBaseNs = 5000;
                for (int k = 0; k < 2000; k++)
                {
                    long x = (long)(JobWork.Next(ref rng) % (1UL << 50));
                    long h = v.HostTimeOf(x);
                    Assert.That(v.VirtualAt(h), Is.GreaterThanOrEqualTo(x));
                    if (h > v.HostBaseNs) Assert.That(v.VirtualAt(h - 1), Is.LessThan(x), "first host ns at which the clock reaches x");
                }
                Assert.That(v.VirtualAt(0), Is.EqualTo(0), "0 before the start");
            }
        }

        [Test]
        public void InterruptsArriveAtTheirDeadlineWhenTheCoreIsMostUrgent()
        {
            // The idle core has the shortest period, so its deadline is never later than the
            // others': every tick wakes it at once (error 0) while a hog and a runaway compete.
            var r = new VcoreRig();
            var prog = new IdleProgram { TickNs = 5 * Ms, WorkGuestNs = 200 * Us };
            var v = r.Add("idle", 10 * Ms, 2 * Ms, false, prog).Guest;
            var hog = r.Add("hog", 100 * Ms, 50 * Ms, true, new HogProgram()).Guest;
            var run = r.Add("runaway", 30 * Ms, 9 * Ms, false, new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            Assert.That(v.IrqDelivered, Is.EqualTo(200));
            Assert.That(v.IrqErrorMin, Is.EqualTo(0));
            Assert.That(v.IrqErrorMax, Is.EqualTo(0));
            Assert.That(hog.IrqErrorMax, Is.LessThanOrEqualTo(50 * Ms), "a hog's ticks wait at most for the others' slices");
            Assert.That(v.Misses + hog.Misses + run.Misses, Is.EqualTo(0));
        }

        [Test]
        public void InterruptsOfACoreWithoutSliceWaitAtMostTwoPeriods()
        {
            // Work per tick (400 us every 1 ms) far above the slice (1 ms every 10 ms): the core is
            // throttled most of the time; its interrupts wait for its next period, never longer
            // than two periods of guest time.
            var r = new VcoreRig();
            var prog = new IdleProgram { TickNs = 1 * Ms, WorkGuestNs = 400 * Us };
            var v = r.Add("busy", 10 * Ms, 1 * Ms, false, prog, 2, 1).Guest;
            var hog = r.Add("hog", 10 * Ms, 8 * Ms, true, new HogProgram()).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            Assert.That(v.IrqDelivered, Is.GreaterThan(100));
            Assert.That(v.IrqErrorMax, Is.LessThanOrEqualTo(2 * v.PeriodGuestNs));
            Assert.That(prog.LostTicks, Is.GreaterThan(0));
            Assert.That(v.PeriodCpuMax, Is.EqualTo(v.SliceNs));
        }

        [Test]
        public void TimerArmedInThePastIsDeliveredAtOnce()
        {
            var r = new VcoreRig();
            var prog = new ScriptProgram();
            var v = r.Add("s", 10 * Ms, 5 * Ms, false, prog).Guest;
            r.StartAll();
            r.RunUntil(3 * Ms);
            Assert.That(prog.Interrupts, Is.EqualTo(1), "armed for virtual 0 at boot");
            Assert.That(v.IrqErrorMax, Is.EqualTo(0));
            prog.ArmAt = 1 * Ms;   // in the past at the next step
            r.RunUntil(4 * Ms);
            Assert.That(prog.Interrupts, Is.EqualTo(2));
            Assert.That(v.IrqErrorMax, Is.EqualTo(2100 * Us), "armed at the next step (3.1 ms) for 1 ms: delivered in that step");
            // Halting with no timer armed: the core sleeps for good (no wake-up source).
            prog.HaltNow = true;
            r.RunUntil(50 * Ms);
            Assert.That(v.IsHalted, Is.True);
            Assert.That(v.Misses, Is.EqualTo(0));
            long cpu = v.TotalNs;
            r.RunUntil(100 * Ms);
            Assert.That(v.TotalNs, Is.EqualTo(cpu));
        }

        /// <summary>Runs, arms its timer when told, halts when told.</summary>
        sealed class ScriptProgram : GuestProgram
        {
            public long ArmAt = -1;
            public bool HaltNow;
            public int Interrupts;
            public override void Boot(Vcore v) { v.ArmTimer(0); }
            public override void TimerInterrupt(Vcore v) { Interrupts++; }
            public override long Run(Vcore v, long until)
            {
                if (ArmAt >= 0) { v.ArmTimer(ArmAt); ArmAt = -1; }
                if (HaltNow) return Halt;
                return 100 * Us;
            }
        }

        // ------------------------------------------------------------ periodic guests

        static TaskSpec Task(string name, long wcet, long period, long deadline, int prio)
        {
            return new TaskSpec { Name = name, Kind = TaskKind.Periodic, Wcet = wcet, Period = period, Deadline = deadline, Priority = prio };
        }

        static TaskSpec[] Set()
        {
            // Guest time: U = 2/20 + 5/40 = 0.225; demand by 20 ms: 2, by 40 ms: 9, ...
            return new[] { Task("sense", 2 * Ms, 20 * Ms, 20 * Ms, 10), Task("act", 5 * Ms, 40 * Ms, 40 * Ms, 11) };
        }

        VcoreRig PeriodicRig(long slice, string sched, long num, long den, out PeriodicGuestProgram g, out Vcore v)
        {
            var r = new VcoreRig();
            g = new PeriodicGuestProgram(Set(), sched, 1, 0);
            v = r.Add("rt", 20 * Ms, slice, false, g, num, den).Guest;
            // Competition: a hog on extra time and a runaway with a shorter period.
            r.Add("hog", 100 * Ms, 30 * Ms, true, new HogProgram());
            r.Add("runaway", 7 * Ms, 2 * Ms, false, new RunawayProgram());
            r.StartAll();
            return r;
        }

        [TestCase("edf", 1, 1)]
        [TestCase("edf", 2, 1)]
        [TestCase("edf", 1, 2)]
        [TestCase("priority", 1, 1)]
        [TestCase("priority", 3, 1)]
        public void PeriodicGuestMeetsItsDeadlinesWhenTheReservationCoversItsDemand(string sched, long num, long den)
        {
            PeriodicGuestProgram g;
            Vcore v;
            // A 6 ms slice every 20 ms of guest time covers the demand at every deadline
            // (2 by 20 ms, 9 <= 12 by 40 ms, ...): each period's slice is delivered by its end.
            var r = PeriodicRig(6 * Ms, sched, num, den, out g, out v);
            r.RunUntil(2 * S);
            g.Finish(v);
            Assert.That(g.Error, Is.Null);
            long guestNow = v.VirtualNow();
            Assert.That(g.Stats[0].Released, Is.EqualTo(guestNow / (20 * Ms) + 1));
            Assert.That(g.Stats[0].Jobs, Is.GreaterThanOrEqualTo(guestNow / (20 * Ms) - 1));
            Assert.That(g.Stats[1].Jobs, Is.GreaterThanOrEqualTo(guestNow / (40 * Ms) - 1));
            Assert.That(g.Stats[0].Misses, Is.EqualTo(0), "sense");
            Assert.That(g.Stats[1].Misses, Is.EqualTo(0), "act");
            Assert.That(g.Stats[0].RespMax, Is.LessThanOrEqualTo(20 * Ms));
            Assert.That(v.Misses, Is.EqualTo(0));
            Assert.That(g.Stats[0].CpuTimeNs, Is.EqualTo(g.Stats[0].Jobs * 2 * Ms).Within(2 * Ms));
        }

        [TestCase("edf", 1, 1)]
        [TestCase("edf", 2, 1)]
        [TestCase("priority", 1, 1)]
        public void PeriodicGuestMissesWhenItsReservationDoesNotCoverItsDemand(string sched, long num, long den)
        {
            PeriodicGuestProgram g;
            Vcore v;
            // 4 ms every 20 ms < 4.5 ms of demand per 20 ms on average.
            var r = PeriodicRig(4 * Ms, sched, num, den, out g, out v);
            r.RunUntil(2 * S);
            g.Finish(v);
            Assert.That(g.Stats[0].Misses + g.Stats[1].Misses, Is.GreaterThan(0));
            Assert.That(v.Misses, Is.EqualTo(0), "the core itself always got its slice");
            Assert.That(v.PeriodCpuMin, Is.EqualTo(v.SliceNs), "busy all the time: the whole slice every period");
            Assert.That(g.Stats[0].MaxPostponed + g.Stats[1].MaxPostponed, Is.GreaterThan(0));
        }

        [Test]
        public void PeriodicGuestPhasesAndConstrainedDeadlines()
        {
            var r = new VcoreRig();
            var tasks = new[]
            {
                new TaskSpec { Name = "a", Kind = TaskKind.Periodic, Wcet = 1 * Ms, Period = 10 * Ms, Deadline = 4 * Ms, Priority = 10 },
                new TaskSpec { Name = "b", Kind = TaskKind.Periodic, Wcet = 2 * Ms, Period = 10 * Ms, Deadline = 10 * Ms, Phase = 3 * Ms, Priority = 11 },
                new TaskSpec { Name = "w", Kind = TaskKind.Periodic, Wcet = 1 * Ms, Period = 20 * Ms, Deadline = 20 * Ms, Priority = 12, Work = WorkKind.Wall },
            };
            var g = new PeriodicGuestProgram(tasks, "edf", 7, 0);
            var v = r.Add("g", 10 * Ms, 5 * Ms, false, g).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            g.Finish(v);
            Assert.That(g.Error, Is.Null);
            Assert.That(g.Stats[0].Misses + g.Stats[1].Misses + g.Stats[2].Misses, Is.EqualTo(0));
            Assert.That(g.Tasks[1].Base, Is.EqualTo(3 * Ms), "b's period starts at its phase");
            Assert.That(g.Stats[1].Released, Is.EqualTo(100));
            Assert.That(g.Stats[0].RespMax, Is.LessThanOrEqualTo(4 * Ms));
        }
    }
}
