using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class MessageQueueTests : SyncTestBase
    {
        public MessageQueueTests(string policy) : base(policy) { }

        MessageQueue Q(int size, int cap, WaitDiscipline d = WaitDiscipline.Fifo)
        {
            SyncStatus st;
            var q = MessageQueue.Create(Core, size, cap, d, out st);
            Assert.That(st, Is.EqualTo(SyncStatus.Successful));
            return q;
        }

        static byte[] Msg(params byte[] b) { return b; }

        [Test]
        public void CreateValidates()
        {
            SyncStatus st;
            Assert.That(MessageQueue.Create(Core, 0, 4, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(st, Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(MessageQueue.Create(Core, 4, 0, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(MessageQueue.Create(Core, 1 << 16, 1 << 16, WaitDiscipline.Fifo, out st), Is.Null, "ring over 2 GiB");
            Assert.That(MessageQueue.Create(null, 4, 4, WaitDiscipline.Fifo, out st), Is.Null);
        }

        [Test]
        public void FifoRoundTripWithLengths()
        {
            var q = Q(4, 3);
            var a = Start(1, 10);
            Assert.That(q.Send(a, Msg(1, 2, 3), 3, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Send(a, Msg(4), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Send(a, Msg(), 0, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Count, Is.EqualTo(3));
            Assert.That(q.Send(a, Msg(9), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            var buf = new byte[4];
            int len;
            Assert.That(q.Receive(a, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(len, Is.EqualTo(3));
            Assert.That(buf[0] == 1 && buf[1] == 2 && buf[2] == 3);
            Assert.That(q.Receive(a, buf, Timeout.Forever, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(len, Is.EqualTo(1));
            Assert.That(buf[0], Is.EqualTo(4));
            Assert.That(q.Receive(a, buf, 100, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(len, Is.EqualTo(0));
            Assert.That(q.Receive(a, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(len, Is.EqualTo(0));
            Ok(q.CheckInvariants());
        }

        [Test]
        public void RingWrapsAndUrgentGoesFirst()
        {
            var q = Q(1, 3);
            var a = Start(1, 10);
            var buf = new byte[1];
            int len;
            for (int round = 0; round < 5; round++)
            {
                q.Send(a, Msg(10), 1, Timeout.NoWait);
                q.Send(a, Msg(11), 1, Timeout.NoWait);
                Assert.That(q.SendUrgent(a, Msg(12), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
                Assert.That(q.SendUrgent(a, Msg(13), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
                byte[] expect = { 12, 10, 11 };
                foreach (byte e in expect)
                {
                    Assert.That(q.Receive(a, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
                    Assert.That(buf[0], Is.EqualTo(e));
                }
                q.Send(a, Msg(20), 1, Timeout.NoWait); // shift the ring by one each round
                q.Receive(a, buf, Timeout.NoWait, out len);
                Ok(q.CheckInvariants());
            }
        }

        [Test]
        public void SizesAndArguments()
        {
            var q = Q(4, 2);
            var a = Start(1, 10);
            int len;
            Assert.That(q.Send(a, new byte[5], 5, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidSize));
            Assert.That(q.Send(a, new byte[8], 4, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful), "a longer array, length within size");
            Assert.That(q.Send(a, new byte[2], 3, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Send(a, new byte[2], -1, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Send(a, null, 0, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Send(a, new byte[2], 2, -7), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Receive(a, new byte[3], Timeout.NoWait, out len), Is.EqualTo(SyncStatus.InvalidSize));
            Assert.That(q.Receive(a, null, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Count, Is.EqualTo(1));
        }

        [Test]
        public void SendToWaitingReceiverCopiesDirectly()
        {
            var q = Q(8, 2);
            var sender = Start(1, 50);
            var recv = Start(2, 10);
            var buf = new byte[8];
            int len;
            SyncStatus r = q.Receive(recv, buf, Timeout.Forever, out len);
            Blocks(r, recv);
            Running(sender);
            Assert.That(q.Send(sender, Msg(7, 8, 9), 3, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Count, Is.EqualTo(0), "not stored: copied to the receiver");
            Assert.That(buf[0] == 7 && buf[1] == 8 && buf[2] == 9);
            Assert.That(recv.Wait.Length, Is.EqualTo(3));
            Settle();
            Running(recv);
            Assert.That(SyncOps.Final(r, recv), Is.EqualTo(SyncStatus.Successful));
            Ok(q.CheckInvariants());
        }

        [Test]
        public void FullQueueBlocksSenderUntilReceive()
        {
            var q = Q(2, 1);
            var recv = Start(1, 50);
            var sender = Start(2, 10);
            Assert.That(q.Send(sender, Msg(1, 1), 2, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            var second = Msg(2, 2);
            SyncStatus r = q.Send(sender, second, 2, Timeout.Forever);
            Blocks(r, sender);
            Running(recv);
            var buf = new byte[2];
            int len;
            Assert.That(q.Receive(recv, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(buf[0], Is.EqualTo(1));
            Assert.That(q.Count, Is.EqualTo(1), "the waiting sender's message was admitted");
            Settle();
            Running(sender);
            Assert.That(SyncOps.Final(r, sender), Is.EqualTo(SyncStatus.Successful));
            second[0] = 99; // the sender's buffer is free again: the queue holds a copy
            Core.Block(sender);
            Settle();
            Assert.That(q.Receive(recv, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(buf[0], Is.EqualTo(2));
            Ok(q.CheckInvariants());
        }

        [Test]
        public void UrgentWaitingSenderGoesToTheFront()
        {
            var q = Q(1, 2);
            var recv = Start(1, 50);
            var s1 = Start(2, 10);
            q.Send(s1, Msg(1), 1, Timeout.NoWait);
            q.Send(s1, Msg(2), 1, Timeout.NoWait);
            Blocks(q.SendUrgent(s1, Msg(3), 1, Timeout.Forever), s1);
            var buf = new byte[1];
            int len;
            q.Receive(recv, buf, Timeout.NoWait, out len);
            Assert.That(buf[0], Is.EqualTo(1));
            q.Receive(recv, buf, Timeout.NoWait, out len);
            Assert.That(buf[0], Is.EqualTo(3));
            q.Receive(recv, buf, Timeout.NoWait, out len);
            Assert.That(buf[0], Is.EqualTo(2));
        }

        [Test]
        public void EmptyQueueBlocksReceiverWithTimeout()
        {
            var q = Q(4, 2);
            var low = Start(1, 50);
            var recv = Start(2, 10);
            long t0 = rig.Now;
            int len;
            SyncStatus r = q.Receive(recv, new byte[4], 250, out len);
            Blocks(r, recv);
            rig.RunUntil(t0 + 249);
            Running(low);
            rig.RunUntil(t0 + 250);
            Running(recv);
            Assert.That(SyncOps.Final(r, recv), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(q.Receivers.Count, Is.EqualTo(0));
            // a message sent afterwards is stored, not lost in the stale buffer
            q.Send(low, Msg(5), 1, Timeout.NoWait);
            Assert.That(q.Count, Is.EqualTo(1));
            Ok(q.CheckInvariants());
        }

        [TestCase(WaitDiscipline.Fifo, 2)]
        [TestCase(WaitDiscipline.Priority, 3)]
        public void ReceiverOrder(WaitDiscipline d, int firstServed)
        {
            var q = Q(1, 1, d);
            var bg = Start(1, 100);
            var r2 = Start(2, 0);
            Blocks(q.Receive(r2, new byte[1], Timeout.Forever, out _), r2);
            Core.SetPriority(r2, 30);
            var r3 = Start(3, 0);
            Blocks(q.Receive(r3, new byte[1], Timeout.Forever, out _), r3);
            Core.SetPriority(r3, 20);
            Settle();
            Running(bg);
            q.Send(bg, Msg(1), 1, Timeout.NoWait);
            Assert.That((firstServed == 2 ? r2 : r3).WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That((firstServed == 2 ? r3 : r2).WaitResult, Is.EqualTo(SyncStatus.Blocked));
        }

        [Test]
        public void FlushDiscardsAndAdmitsSenders()
        {
            var q = Q(1, 2);
            var low = Start(1, 50);
            var s = Start(2, 10);
            q.Send(s, Msg(1), 1, Timeout.NoWait);
            q.Send(s, Msg(2), 1, Timeout.NoWait);
            SyncStatus r = q.Send(s, Msg(3), 1, 1000);
            Blocks(r, s);
            int discarded;
            Assert.That(q.Flush(out discarded), Is.EqualTo(SyncStatus.Successful));
            Assert.That(discarded, Is.EqualTo(2));
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(s.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            var buf = new byte[1];
            int len;
            q.Receive(low, buf, Timeout.NoWait, out len);
            Assert.That(buf[0], Is.EqualTo(3));
            Ok(q.CheckInvariants());
        }

        [Test]
        public void DeleteWakesBothSides()
        {
            var q = Q(1, 1);
            var low = Start(1, 50);
            var recv = Start(2, 10);
            int len;
            Blocks(q.Receive(recv, new byte[1], Timeout.Forever, out len), recv);
            Assert.That(q.Delete(), Is.EqualTo(SyncStatus.Successful));
            Assert.That(recv.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(q.Send(low, Msg(1), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(q.Receive(low, new byte[1], Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(q.Flush(out len), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(q.Delete(), Is.EqualTo(SyncStatus.Deleted));
            Ok(q.CheckInvariants());

            var q2 = Q(1, 1);
            Settle();
            var s = Start(3, 5);
            q2.Send(s, Msg(1), 1, Timeout.NoWait);
            Blocks(q2.Send(s, Msg(2), 1, Timeout.Forever), s);
            q2.Delete();
            Assert.That(s.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(q2.Count, Is.EqualTo(0));
            Ok(q2.CheckInvariants());
        }

        [Test]
        public void InterruptRules()
        {
            var q = Q(1, 1);
            var low = Start(1, 50);
            var recv = Start(2, 10);
            int len;
            var buf = new byte[1];
            SyncStatus r = q.Receive(recv, buf, Timeout.Forever, out len);
            Blocks(r, recv);
            Core.InterruptNesting = 1;
            Assert.That(q.Send(null, Msg(4), 1, 100), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(recv.WaitResult, Is.EqualTo(SyncStatus.Blocked), "nothing changed");
            Assert.That(q.Send(null, Msg(4), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(buf[0], Is.EqualTo(4));
            Assert.That(q.Send(null, Msg(5), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Send(null, Msg(6), 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(q.Receive(null, buf, Timeout.Forever, out len), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(q.Receive(null, buf, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(buf[0], Is.EqualTo(5));
            Assert.That(q.Delete(), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            Settle();
            Running(recv);
        }
    }
}
