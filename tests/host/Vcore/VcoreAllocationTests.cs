using System;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>Guest-core scheduling, timer, step and guest paths allocate nothing after setup.</summary>
    [TestFixture]
    public class VcoreAllocationTests
    {
        const long Us = 1000, Ms = 1000000;

        [Test]
        public void SchedulingAndGuestPathsAllocateNothing()
        {
            var r = new VcoreRig();
            r.CheckEveryStep = false;
            r.AddHost(500 * Us, 10 * Ms);
            r.AddBackground(200);
            var tasks = new[]
            {
                new TaskSpec { Name = "a", Kind = TaskKind.Periodic, Wcet = 1 * Ms, Period = 10 * Ms, Deadline = 10 * Ms, Priority = 10, Jitter = 200 * Us },
                new TaskSpec { Name = "b", Kind = TaskKind.Periodic, Wcet = 2 * Ms, Period = 20 * Ms, Deadline = 15 * Ms, Priority = 11 },
            };
            var hog = r.Add("hog", 100 * Ms, 15 * Ms, true, new HogProgram { TickNs = 3 * Ms }).Guest;
            r.Add("run", 30 * Ms, 3 * Ms, false, new RunawayProgram());
            r.Add("idle", 10 * Ms, 1 * Ms, true, new IdleProgram { TickNs = 2 * Ms, WorkGuestNs = 100 * Us }, 3, 1);
            r.Add("edf", 10 * Ms, 2 * Ms, false, new PeriodicGuestProgram(tasks, "edf", 5, 0), 2, 1);
            r.Add("fp", 10 * Ms, 2 * Ms, false, new PeriodicGuestProgram(tasks, "priority", 5, 1), 1, 2);
            r.Add("chaos", 5 * Ms, 500 * Us, true, new ChaosProgram(99));
            r.StartAll();
            VcoreAdmission a;
            for (int round = 0; round < 2; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int k = 0; k < 200; k++)
                {
                    r.Advance(10 * Ms + k);
                    r.S.SetReservation(hog, 100 * Ms, (k & 1) == 0 ? 10 * Ms : 15 * Ms, (k & 2) == 0, out a);
                }
                long after = GC.GetAllocatedBytesForCurrentThread();
                if (round == 1) Assert.That(after - before, Is.EqualTo(0), "bytes allocated over 2 s of guest cores (round 1 is the warm-up)");
            }
            r.Check();
            Assert.That(r.Steps, Is.GreaterThan(10000));
        }
    }
}
