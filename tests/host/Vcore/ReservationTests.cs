using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>Reservation scheduling, enforcement, extra time, halts.</summary>
    [TestFixture]
    public class ReservationTests
    {
        const long Us = 1000, Ms = 1000000, S = 1000000000;

        static double Share(Vcore v, long elapsed) { return (double)v.TotalNs / elapsed; }

        [Test]
        public void HogGetsItsReservationWithinOnePointExtraOff()
        {
            var r = new VcoreRig();
            var hog = r.Add("hog", 100 * Ms, 20 * Ms, false, new HogProgram()).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            Assert.That(Share(hog, S), Is.EqualTo(0.20).Within(0.01));
            Assert.That(hog.TotalNs, Is.EqualTo(200 * Ms), "exact timer: exactly the slice in each of 10 periods");
            Assert.That(hog.Periods, Is.EqualTo(10));
            Assert.That(hog.PeriodCpuMin, Is.EqualTo(20 * Ms));
            Assert.That(hog.PeriodCpuMax, Is.EqualTo(20 * Ms));
            Assert.That(hog.ExtraNs, Is.EqualTo(0));
            Assert.That(hog.OveruseNs, Is.EqualTo(0));
            Assert.That(hog.Misses, Is.EqualTo(0));
            Assert.That(hog.Throttles, Is.EqualTo(10));
            Assert.That(r.Core.IdleTimeNs, Is.EqualTo(800 * Ms));
            // Beside other cores and a host background thread it still gets exactly its slice.
            var r2 = new VcoreRig();
            var h2 = r2.Add("hog", 100 * Ms, 20 * Ms, false, new HogProgram()).Guest;
            var other = r2.Add("other", 30 * Ms, 20 * Ms, false, new RunawayProgram()).Guest;
            r2.AddBackground(200);
            r2.StartAll();
            r2.RunUntil(1 * S);
            Assert.That(Share(h2, S), Is.EqualTo(0.20).Within(0.01));
            Assert.That(h2.TotalNs, Is.EqualTo(200 * Ms));
            Assert.That(h2.Misses + other.Misses, Is.EqualTo(0));
        }

        [Test]
        public void SpareTimeGoesToExtraCoresNeverFromAReservation()
        {
            var r = new VcoreRig();
            var hog = r.Add("hog", 100 * Ms, 20 * Ms, true, new HogProgram()).Guest;
            var run = r.Add("runaway", 100 * Ms, 30 * Ms, false, new RunawayProgram()).Guest;
            var idle = r.Add("idle", 50 * Ms, 10 * Ms, false, new IdleProgram()).Guest;
            r.StartAll();
            r.RunUntil(1 * S);
            // The runaway gets exactly its slice every period; the idle guest its ticks; the hog everything else.
            Assert.That(run.PeriodCpuMin, Is.EqualTo(30 * Ms));
            Assert.That(run.PeriodCpuMax, Is.EqualTo(30 * Ms));
            Assert.That(run.Misses + idle.Misses + hog.Misses, Is.EqualTo(0));
            Assert.That(hog.ExtraNs, Is.GreaterThan(0));
            Assert.That(hog.TotalNs + run.TotalNs + idle.TotalNs, Is.EqualTo(1 * S), "no idle time left");
            Assert.That(hog.TotalNs, Is.EqualTo(1 * S - 300 * Ms - idle.TotalNs));
            Assert.That(hog.SliceUsedNs, Is.EqualTo(200 * Ms));
            Assert.That(r.Core.IdleTimeNs, Is.EqualTo(0));

            // Two cores on extra time share the idle time round robin (1 ms quanta).
            var r2 = new VcoreRig();
            var a = r2.Add("a", 100 * Ms, 20 * Ms, true, new HogProgram()).Guest;
            var b = r2.Add("b", 100 * Ms, 30 * Ms, true, new RunawayProgram()).Guest;
            r2.StartAll();
            r2.RunUntil(1 * S);
            Assert.That(a.SliceUsedNs, Is.EqualTo(200 * Ms));
            Assert.That(b.SliceUsedNs, Is.EqualTo(300 * Ms));
            Assert.That(a.ExtraNs + b.ExtraNs, Is.EqualTo(500 * Ms));
            Assert.That((double)a.ExtraNs / b.ExtraNs, Is.EqualTo(1.0).Within(0.05));
            Assert.That(a.ExtraQuanta + b.ExtraQuanta, Is.GreaterThan(400));

            // A host background thread comes before extra time (ExtraPriority is the lowest level).
            var r3 = new VcoreRig();
            var c = r3.Add("c", 100 * Ms, 20 * Ms, true, new HogProgram()).Guest;
            var bg = r3.AddBackground(250);
            r3.StartAll();
            r3.RunUntil(1 * S);
            Assert.That(c.TotalNs, Is.EqualTo(200 * Ms));
            Assert.That(c.ExtraNs, Is.EqualTo(0));
            Assert.That(bg.CpuTimeNs, Is.EqualTo(800 * Ms));
        }

        [Test]
        public void RunawayIsCutAtItsSliceEndEveryPeriod()
        {
            var r = new VcoreRig();
            var run = r.Add("runaway", 10 * Ms, 3 * Ms, false, new RunawayProgram()).Guest;
            var hog = r.Add("hog", 7 * Ms, 2 * Ms, true, new HogProgram()).Guest;
            r.StartAll();
            long last = 0;
            for (int k = 1; k <= 100; k++)
            {
                r.RunUntil(k * 10 * Ms);
                Assert.That(run.TotalNs - last, Is.EqualTo(3 * Ms), "period " + k);
                last = run.TotalNs;
            }
            Assert.That(run.OveruseNs, Is.EqualTo(0));
            Assert.That(run.Throttles, Is.EqualTo(100));
            Assert.That(run.Periods, Is.EqualTo(100));
            Assert.That(run.PeriodCpuMin, Is.EqualTo(3 * Ms));
            Assert.That(run.PeriodCpuMax, Is.EqualTo(3 * Ms));
            Assert.That(run.Steps, Is.LessThanOrEqualTo(2), "a runaway asks once and never returns to the guest loop");
            Assert.That(hog.Misses, Is.EqualTo(0));
        }

        [Test]
        public void LateTimerOveruseIsCounted()
        {
            // The budget watchdog fires 50 us late (a platform whose interrupt is late): the
            // overrun is charged as overuse, not taken silently from the others.
            var r = new VcoreRig();
            var run = r.Add("runaway", 10 * Ms, 3 * Ms, false, new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(3 * Ms - 1);
            // Hold the interrupt back: advance the clock past the expiry, then fire.
            r.P.Time = 3 * Ms + 50 * Us;
            r.Core.TimerFired(r.P.Time);
            r.Settle();
            Assert.That(run.OveruseNs, Is.EqualTo(50 * Us));
            Assert.That(run.OveruseEvents, Is.EqualTo(1));
            Assert.That(run.Throttled, Is.True);
        }

        [Test]
        public void EqualDeadlinesManyCores()
        {
            // 60 cores of 1.5% with one period: every deadline is equal, every period.
            var r = new VcoreRig(capacity: 64);
            var cores = new Vcore[60];
            for (int i = 0; i < 60; i++)
                cores[i] = r.Add("c" + i, 10 * Ms, 150 * Us, i % 3 == 0, i % 2 == 0 ? (GuestProgram)new HogProgram() : new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(200 * Ms);
            for (int i = 0; i < 60; i++)
            {
                Assert.That(cores[i].Misses, Is.EqualTo(0), cores[i].Name);
                Assert.That(cores[i].SliceUsedNs, Is.EqualTo(20 * 150 * Us), cores[i].Name);
                Assert.That(cores[i].OveruseNs, Is.EqualTo(0), cores[i].Name);
            }
            // 250 cores, equal deadlines, 90% reserved.
            var big = new VcoreRig(capacity: 256);
            for (int i = 0; i < 250; i++) big.Add("b" + i, 100 * Ms, 360 * Us, i % 5 == 0, new HogProgram());
            big.StartAll();
            big.RunUntil(300 * Ms);
            for (int i = 0; i < 250; i++)
            {
                Vcore v = big.V[i].Guest;
                Assert.That(v.Misses, Is.EqualTo(0), v.Name);
                Assert.That(v.PeriodCpuMin, Is.GreaterThanOrEqualTo(360 * Us), v.Name);
            }
            Assert.That(big.S.ReadyTree.Check(), Is.Null);
        }

        [Test]
        public void HostThreadsKeepTheirDeadlinesBesideCores()
        {
            // Host 20% (2 ms every 10 ms) + cores 50% + 30% = 100%: EDF meets everything.
            var r = new VcoreRig();
            var h = r.AddHost(2 * Ms, 10 * Ms);
            var h2 = r.AddHost(1 * Ms, 25 * Ms);   // +4%: use a 26% runaway below
            var hog = r.Add("hog", 100 * Ms, 50 * Ms, true, new HogProgram()).Guest;
            var run = r.Add("runaway", 50 * Ms, 13 * Ms, false, new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(2 * S);
            Assert.That(h.Misses, Is.EqualTo(0));
            Assert.That(h2.Misses, Is.EqualTo(0));
            Assert.That(h.Jobs, Is.GreaterThanOrEqualTo(199));
            Assert.That(hog.Misses + run.Misses, Is.EqualTo(0));
            Assert.That(run.PeriodCpuMin, Is.EqualTo(13 * Ms));
            Assert.That(hog.SliceUsedNs, Is.EqualTo(20 * 50 * Ms));
        }

        [Test]
        public void HaltGivesTheCpuBackWithoutMisses()
        {
            var r = new VcoreRig();
            var idle = r.Add("idle", 100 * Ms, 40 * Ms, false, new IdleProgram()).Guest;
            var hog = r.Add("hog", 100 * Ms, 20 * Ms, true, new HogProgram()).Guest;
            r.StartAll();
            r.RunUntil(1 * S + 5 * Ms);
            var p = (IdleProgram)idle.Program;
            Assert.That(idle.Misses, Is.EqualTo(0), "a halted core does not demand its slice");
            Assert.That(idle.Halts, Is.GreaterThanOrEqualTo(99), "woken cores go before equal deadlines: one halt per tick");
            Assert.That(p.Ticks, Is.EqualTo(100));
            Assert.That(idle.TotalNs, Is.EqualTo(100 * 200 * Us), "200 us of work per 10 ms tick");
            Assert.That(hog.TotalNs, Is.EqualTo(1 * S + 5 * Ms - idle.TotalNs), "everything the idle guest gave back");
            Assert.That(p.LostTicks, Is.EqualTo(0));
        }

        [Test]
        public void WakeUpGetsItsShareOfTheTimeLeft()
        {
            // A guest that halts for most of its period and then wants to run: it gets
            // floor((deadline - now) x slice / period), not the whole unused slice.
            var r = new VcoreRig();
            var prog = new IdleProgram { TickNs = 80 * Ms, WorkGuestNs = 60 * Ms };
            var v = r.Add("late", 100 * Ms, 40 * Ms, false, prog).Guest;
            var hog = r.Add("hog", 100 * Ms, 60 * Ms, false, new HogProgram()).Guest;
            r.StartAll();
            r.RunUntil(100 * Ms);
            // Woken at 80 ms with 40 ms of slice left and 20 ms to go: 20 x 40/100 = 8 ms.
            Assert.That(v.WakeClipNs, Is.EqualTo(32 * Ms));
            Assert.That(v.TotalNs, Is.EqualTo(8 * Ms));
            Assert.That(hog.TotalNs, Is.EqualTo(60 * Ms));
            Assert.That(v.Misses + hog.Misses, Is.EqualTo(0));
        }

        [Test]
        public void RemovedCoreFreesItsShareAndItsThreadEnds()
        {
            var r = new VcoreRig();
            var a = r.Add("a", 100 * Ms, 60 * Ms, false, new HogProgram());
            var b = r.Add("b", 100 * Ms, 30 * Ms, false, new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(250 * Ms);
            VcoreAdmission adm;
            VcoreThread c;
            Assert.That(r.TryAdd(r.NewCore("c", 100 * Ms, 50 * Ms, false, new HogProgram()), out adm, out c), Is.EqualTo(VcoreStatus.AdmissionRejected));
            Assert.That(r.S.Remove(a.Guest), Is.EqualTo(VcoreStatus.Ok));
            r.Settle();
            Assert.That(r.TryAdd(r.NewCore("c", 100 * Ms, 50 * Ms, false, new HogProgram()), out adm, out c), Is.EqualTo(VcoreStatus.Ok), adm.Message);
            Assert.That(r.S.Start(c.Guest, r.Now), Is.EqualTo(VcoreStatus.Ok));
            long before = a.Guest.TotalNs;
            r.RunUntil(1 * S);
            Assert.That(a.Ended, Is.True);
            Assert.That(a.Has(ThreadState.Dormant), Is.True);
            Assert.That(a.Guest.TotalNs, Is.EqualTo(before), "a removed core gets nothing");
            Assert.That(b.Misses + c.Guest.Misses, Is.EqualTo(0));
            Assert.That(c.Guest.PeriodCpuMin, Is.EqualTo(50 * Ms));
        }

        [Test]
        public void ShrinkTakesEffectAtOnceForTheRestOfThePeriod()
        {
            var r = new VcoreRig();
            var v = r.Add("v", 100 * Ms, 80 * Ms, false, new HogProgram()).Guest;
            var w = r.Add("w", 100 * Ms, 10 * Ms, false, new RunawayProgram()).Guest;
            r.StartAll();
            r.RunUntil(10 * Ms);     // v ran 10 ms (w waits: equal deadline, FIFO)
            VcoreAdmission a;
            Assert.That(r.S.SetReservation(v, 100 * Ms, 20 * Ms, false, out a), Is.EqualTo(VcoreStatus.Ok));
            // Left of the period: 90 ms; new share 1/5: at most 18 ms more in this period.
            Assert.That(v.RemainingNs, Is.EqualTo(18 * Ms));
            r.RunUntil(100 * Ms);
            Assert.That(v.TotalNs, Is.EqualTo(28 * Ms));
            r.RunUntil(250 * Ms);
            Assert.That(v.TotalNs, Is.EqualTo(68 * Ms));
            Assert.That(v.SliceNs, Is.EqualTo(20 * Ms));
            Assert.That(v.Misses + w.Misses, Is.EqualTo(0));
            // Extra flag switched on while throttled: it runs on extra time at once.
            Assert.That(v.Throttled, Is.True);
            Assert.That(r.S.SetReservation(v, 100 * Ms, 20 * Ms, true, out a), Is.EqualTo(VcoreStatus.Ok));
            Assert.That(v.InExtra, Is.True);
            r.Settle();
            r.RunUntil(400 * Ms);
            Assert.That(v.ExtraNs, Is.GreaterThan(0));
        }
    }
}
