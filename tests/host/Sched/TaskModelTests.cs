using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// Scheduler.Model and RunsGuestCores: the flags the kernel's workload
    /// runner chooses by (instead of the policy's name), for every table entry.
    /// </summary>
    [TestFixture]
    public class TaskModelTests
    {
        [TestCase("priority", TaskModel.FixedPriority, false)]
        [TestCase("edf", TaskModel.Deadline, false)]
        [TestCase("cbs", TaskModel.DeadlineWithServers, false)]
        [TestCase("vcore", TaskModel.Deadline, true)]
        [TestCase("gedf", TaskModel.Deadline, false)]
        public void EntryDeclaresItsModel(string name, TaskModel model, bool guests)
        {
            Scheduler s = SchedulerTable.Create(name, out string error);
            Assert.That(s, Is.Not.Null, error);
            Assert.That(s.Model, Is.EqualTo(model), name + ": task model");
            Assert.That(s.RunsGuestCores, Is.EqualTo(guests), name + ": runs guest cores");
        }

        [Test]
        public void EveryEntryIsCovered()
        {
            Assert.That(SchedulerTable.Names(), Is.EqualTo("priority, edf, cbs, vcore, gedf"), "a new policy needs a TaskModel case above");
        }
    }
}
