using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Analysis
{
    // The props suite's generator on the host: the same seeded sets the
    // kernel runs, checked against the analysis and the simulator.
    [TestFixture]
    public class RandomSetsTests
    {
        // The kernel's boot figures under -icount for edf, with the probe's margin.
        static readonly Overheads Boot = Overheads.Make(1793, 275, 245, 373, 374, "test");

        [Test]
        public void SetsAreAdmittedAndAtTheLimit()
        {
            int made = 0, atLimit = 0;
            for (int kind = 0; kind < 4; kind++)
                for (int i = 0; i < 40; i++)
                {
                    WorkloadSpec w = RandomSets.Make(1, i, (RandomSetKind)kind, Boot);
                    if (w == null) continue;
                    made++;
                    Assert.That(RandomSets.Accepted(w, Boot), Is.True, "set " + i + " kind " + kind);
                    foreach (TaskSpec t in w.Tasks)
                        if (t.Kind == TaskKind.Periodic)
                        {
                            Assert.That(t.Wcet, Is.GreaterThan(0).And.LessThanOrEqualTo(t.Deadline));
                            Assert.That(t.Deadline, Is.LessThanOrEqualTo(t.Period));
                            if (kind == 0 || kind == 2) Assert.That(t.Deadline, Is.EqualTo(t.Period));
                        }
                    Assert.That(w.Tasks[w.Tasks.Length - 1].Kind, Is.EqualTo(TaskKind.Background), "background load");
                    // At the limit: 2% more on every cost is refused (three sets in four).
                    if (i % 4 == 3) continue;
                    foreach (TaskSpec t in w.Tasks) if (t.Kind == TaskKind.Periodic) t.Wcet = t.Wcet * 102 / 100;
                    if (!RandomSets.Accepted(w, Boot)) atLimit++;
                }
            Assert.That(made, Is.EqualTo(160));
            Assert.That(atLimit, Is.EqualTo(120), "every set not scaled down is within 2% of the admission limit");
        }

        [Test]
        public void SameSeedSameSetAndTextRoundTrips()
        {
            for (int kind = 0; kind < 5; kind++)
            {
                WorkloadSpec a = RandomSets.Make(7, 3, (RandomSetKind)kind, Boot);
                WorkloadSpec b = RandomSets.Make(7, 3, (RandomSetKind)kind, Boot);
                Assert.That(a, Is.Not.Null);
                string text = RandomSets.ToText(a, "t");
                Assert.That(RandomSets.ToText(b, "t"), Is.EqualTo(text));
                ParseResult pr = WorkloadParser.ParseText(text);
                Assert.That(pr.Ok, Is.True, pr.Error + "\n" + text);
                Assert.That(RandomSets.ToText(pr.Workload, "t"), Is.EqualTo(text));
                Assert.That(pr.Workload.Overheads.ReleaseNs, Is.EqualTo(1793));
            }
            Assert.That(RandomSets.ToText(RandomSets.Make(8, 3, RandomSetKind.EdfConstrained, Boot), "t"),
                Is.Not.EqualTo(RandomSets.ToText(RandomSets.Make(7, 3, RandomSetKind.EdfConstrained, Boot), "t")));
        }

        [Test]
        public void GuestCoreSetsFillTheShareAndAreAdmitted()
        {
            for (int i = 0; i < 40; i++)
            {
                WorkloadSpec w = RandomSets.Make(1, i, RandomSetKind.GuestCores, Boot);
                Assert.That(w, Is.Not.Null, "set " + i);
                var vs = new VcoreScheduler(16);
                vs.ReservationOverheadNs = Boot.PerReservationNs;
                var core = new SchedCore(new SimPlatform(), vs, null);
                Utilization u = Utilization.Zero();
                for (int g = 0; g < w.Guests.Length; g++)
                {
                    VcoreSpec c = w.Guests[g].Vcores[0];
                    u.Add((ulong)(c.Slice + Boot.PerReservationNs), (ulong)c.Period);
                    Vcore v = GuestFactory.Create(w.Guests[g], 0, w.Seed, g);
                    VcoreAdmission a;
                    Assert.That(vs.Attach(new SchedThread(g + 1, 200), v, out a), Is.EqualTo(VcoreStatus.Ok), a.Message);
                }
                Assert.That(u.CompareTo(1, 1), Is.LessThanOrEqualTo(0));
                if (i % 4 != 3) Assert.That(u.CompareTo(99, 100), Is.EqualTo(1), "set " + i + " fills over 99% of the CPU");
            }
        }

        [Test]
        public void SimulatorWithTheSameOverheadsMeetsEveryDeadline()
        {
            for (int kind = 0; kind < 5; kind++)
                for (int i = 0; i < 12; i++)
                {
                    WorkloadSpec w = RandomSets.Make(1, i, (RandomSetKind)kind, Boot);
                    SimResult r = Simulator.Run(w, new SimOptions { CheckInvariants = true });
                    Assert.That(r.Error, Is.Null);
                    Assert.That(r.TotalMisses, Is.EqualTo(0), RandomSets.ToText(w, "kind " + kind + " set " + i));
                    if (r.Guests != null)
                        foreach (Vcore v in r.Guests.Cores) Assert.That(v.Misses, Is.EqualTo(0), "core " + v.Name);
                }
        }
    }
}
