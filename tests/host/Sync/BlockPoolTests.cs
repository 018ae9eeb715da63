using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class BlockPoolTests : SyncTestBase
    {
        public BlockPoolTests(string policy) : base(policy) { }

        const ulong Base = 0x20_0000;

        BlockPool Pool(int size, int count, WaitDiscipline d = WaitDiscipline.Fifo)
        {
            SyncStatus st;
            var p = BlockPool.Create(Core, Base, size, count, d, out st);
            Assert.That(st, Is.EqualTo(SyncStatus.Successful));
            return p;
        }

        [Test]
        public void CreateValidates()
        {
            SyncStatus st;
            Assert.That(BlockPool.Create(Core, Base, 0, 4, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(st, Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(BlockPool.Create(Core, Base, 64, 0, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(BlockPool.Create(Core, ulong.MaxValue - 100, 64, 2, WaitDiscipline.Fifo, out st), Is.Null, "wraps");
            Assert.That(BlockPool.Create(Core, ulong.MaxValue - 128, 64, 2, WaitDiscipline.Fifo, out st), Is.Not.Null, "ends exactly at the top");
            Assert.That(BlockPool.Create(null, Base, 64, 2, WaitDiscipline.Fifo, out st), Is.Null);
        }

        [Test]
        public void AllocatesEveryBlockOnceThenRunsOut()
        {
            var p = Pool(64, 4);
            var a = Start(1, 10);
            var seen = new System.Collections.Generic.HashSet<ulong>();
            for (int i = 0; i < 4; i++)
            {
                ulong addr;
                Assert.That(p.Allocate(a, Timeout.NoWait, out addr), Is.EqualTo(SyncStatus.Successful));
                Assert.That(addr, Is.GreaterThanOrEqualTo(Base).And.LessThan(Base + 256));
                Assert.That((addr - Base) % 64, Is.EqualTo(0UL));
                Assert.That(seen.Add(addr), "distinct");
                Assert.That(p.IsAllocated(addr));
            }
            ulong none;
            Assert.That(p.Allocate(a, Timeout.NoWait, out none), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(none, Is.EqualTo(0UL));
            Assert.That(p.FreeCount, Is.EqualTo(0));
            foreach (var addr in seen) Assert.That(p.Free(a, addr), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.FreeCount, Is.EqualTo(4));
            Ok(p.CheckInvariants());
        }

        [Test]
        public void FreeValidatesAddress()
        {
            var p = Pool(64, 4);
            var a = Start(1, 10);
            ulong addr;
            p.Allocate(a, Timeout.NoWait, out addr);
            Assert.That(p.Free(a, Base - 64), Is.EqualTo(SyncStatus.InvalidAddress));
            Assert.That(p.Free(a, Base + 256), Is.EqualTo(SyncStatus.InvalidAddress));
            Assert.That(p.Free(a, 0), Is.EqualTo(SyncStatus.InvalidAddress));
            Assert.That(p.Free(a, ulong.MaxValue), Is.EqualTo(SyncStatus.InvalidAddress));
            Assert.That(p.Free(a, addr + 1), Is.EqualTo(SyncStatus.NotAligned));
            Assert.That(p.Free(a, Base + 255), Is.EqualTo(SyncStatus.NotAligned));
            Assert.That(p.Free(a, Base + 192), Is.EqualTo(SyncStatus.AlreadyFree), "never allocated");
            Assert.That(p.Free(a, addr), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.Free(a, addr), Is.EqualTo(SyncStatus.AlreadyFree), "double free");
            Assert.That(p.FreeCount, Is.EqualTo(4));
            Ok(p.CheckInvariants());
        }

        [Test]
        public void FreeHandsBlockToWaiter()
        {
            var p = Pool(32, 1, WaitDiscipline.Priority);
            var low = Start(1, 50);
            ulong addr;
            p.Allocate(low, Timeout.NoWait, out addr);
            var w = Start(2, 10);
            ulong got;
            SyncStatus r = p.Allocate(w, Timeout.Forever, out got);
            Blocks(r, w);
            Assert.That(got, Is.EqualTo(0UL));
            Assert.That(p.Free(low, addr), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.FreeCount, Is.EqualTo(0), "handed over, not freed");
            Assert.That(p.IsAllocated(addr));
            Settle();
            Running(w);
            Assert.That(SyncOps.Final(r, w), Is.EqualTo(SyncStatus.Successful));
            Assert.That(w.Wait.Address, Is.EqualTo(addr));
            Ok(p.CheckInvariants());
        }

        [Test]
        public void AllocateTimesOut()
        {
            var p = Pool(32, 1);
            var low = Start(1, 50);
            ulong addr;
            p.Allocate(low, Timeout.NoWait, out addr);
            var w = Start(2, 10);
            long t0 = rig.Now;
            SyncStatus r = p.Allocate(w, 400, out _);
            Blocks(r, w);
            rig.RunUntil(t0 + 399);
            Assert.That(w.Has(ThreadState.Blocked));
            rig.RunUntil(t0 + 400);
            Assert.That(SyncOps.Final(r, w), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(p.Free(low, addr), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.FreeCount, Is.EqualTo(1));
            Ok(p.CheckInvariants());
        }

        [Test]
        public void InterruptRulesAndDelete()
        {
            var p = Pool(16, 2);
            var a = Start(1, 10);
            Core.InterruptNesting = 2;
            ulong x, y;
            Assert.That(p.Allocate(null, Timeout.NoWait, out x), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.Allocate(null, 10, out y), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(p.FreeCount, Is.EqualTo(1));
            Assert.That(p.Free(null, x), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p.Delete(), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            p.Allocate(a, Timeout.NoWait, out x);
            p.Allocate(a, Timeout.NoWait, out y);
            var b = Start(2, 5);
            Blocks(p.Allocate(b, Timeout.Forever, out _), b);
            Assert.That(p.Delete(), Is.EqualTo(SyncStatus.Successful));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(p.Free(a, x), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(p.Allocate(a, Timeout.NoWait, out x), Is.EqualTo(SyncStatus.Deleted));
            Ok(p.CheckInvariants());
        }
    }
}
