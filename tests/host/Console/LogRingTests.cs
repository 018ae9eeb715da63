using NUnit.Framework;
using Osprey.Kernel.Console;

namespace Osprey.Tests.Console
{
    // The log ring's portable logic (kernel/console/LogRing.cs): records in
    // order, slots reused only after they are consumed, a full ring drops
    // and says so in the next record that fits.
    [TestFixture]
    public class LogRingTests
    {
        private static string Oldest(LogRing r, out int flags)
        {
            Assert.That(r.Peek(out int off, out int len, out flags), Is.True, "a record to peek at");
            return new string(r.Text, off, len);
        }

        private static string Take(LogRing r, out int flags)
        {
            string s = Oldest(r, out flags);
            r.Consume();
            return s;
        }

        private static bool Add(LogRing r, string s, int flags = LogRing.Serial | LogRing.Screen | LogRing.Newline)
        {
            return r.Append(s, 0, s.Length, flags);
        }

        [Test]
        public void RecordsLeaveInTheOrderTheyCame()
        {
            var r = new LogRing(4, 16);
            Assert.That(r.Empty, Is.True);
            Assert.That(r.Peek(out _, out _, out _), Is.False, "nothing to peek at in an empty ring");
            for (int round = 0; round < 5; round++)      // wraps around the slots several times
            {
                Assert.That(Add(r, "a" + round), Is.True);
                Assert.That(r.Append(("b" + round).ToCharArray(), 0, 2, LogRing.Serial), Is.True);
                Assert.That(r.Count, Is.EqualTo(2));
                Assert.That(Take(r, out int f1), Is.EqualTo("a" + round));
                Assert.That(f1, Is.EqualTo(LogRing.Serial | LogRing.Screen | LogRing.Newline));
                Assert.That(Take(r, out int f2), Is.EqualTo("b" + round));
                Assert.That(f2, Is.EqualTo(LogRing.Serial));
            }
            Assert.That(r.Empty, Is.True);
            Assert.That(r.Appended, Is.EqualTo(10));
        }

        [Test]
        public void APeekedRecordStaysUntilConsumedEvenWhenTheRingFills()
        {
            var r = new LogRing(2, 8);
            Add(r, "first");
            Assert.That(Oldest(r, out _), Is.EqualTo("first"));
            Add(r, "second");
            Assert.That(Add(r, "third"), Is.False, "no slot free: the peeked record is not overwritten");
            Assert.That(Oldest(r, out _), Is.EqualTo("first"));
        }

        [Test]
        public void ARecordIsCutAtTheSlotSize()
        {
            var r = new LogRing(2, 4);
            Add(r, "abcdefgh");
            Assert.That(Take(r, out _), Is.EqualTo("abcd"));
            Assert.That(r.Append("xyabcz", 2, 3, LogRing.Serial), Is.True, "a slice of a string");
            Assert.That(Take(r, out _), Is.EqualTo("abc"));
        }

        [Test]
        public void AFullRingDropsAndTheNextLineThatFitsSaysHowMany()
        {
            var r = new LogRing(3, 40);
            Assert.That(Add(r, "one") && Add(r, "two") && Add(r, "three"), Is.True);
            Assert.That(Add(r, "four"), Is.False);
            Assert.That(Add(r, "five"), Is.False);
            Assert.That(r.Append("part", 0, 4, LogRing.Serial | LogRing.Screen), Is.False, "a part of a line is not counted as a line");
            Assert.That(r.Append("narrow", 0, 6, LogRing.Screen | LogRing.Newline), Is.False, "the screen twin of a split line is not counted twice");
            Assert.That(r.Dropped, Is.EqualTo(2));
            Take(r, out _);
            Assert.That(Add(r, "six"), Is.False, "one slot free: not enough for the notice and the line");
            Assert.That(r.Dropped, Is.EqualTo(3));
            Take(r, out _);
            Assert.That(Add(r, "seven"), Is.True);
            Assert.That(Take(r, out _), Is.EqualTo("three"));
            Assert.That(Take(r, out int nf), Is.EqualTo("osprey: log: 3 lines dropped"));
            Assert.That(nf, Is.EqualTo(LogRing.Serial | LogRing.Screen | LogRing.Newline), "the notice goes to both consoles");
            Assert.That(Take(r, out _), Is.EqualTo("seven"));
            Assert.That(r.Empty, Is.True);
            Assert.That(Add(r, "eight"), Is.True);
            Assert.That(Take(r, out _), Is.EqualTo("eight"), "the notice comes once");
            Assert.That(r.Dropped, Is.EqualTo(3), "Dropped counts since creation");
        }

        [Test]
        public void ANoticeWithAManyDigitCountFitsItsSlot()
        {
            var r = new LogRing(2, 64);
            Add(r, "a"); Add(r, "b");
            for (int i = 0; i < 12345; i++) Add(r, "x");
            r.Consume(); r.Consume();
            Assert.That(Add(r, "c"), Is.True);
            Assert.That(Take(r, out _), Is.EqualTo("osprey: log: 12345 lines dropped"));
            Assert.That(Take(r, out _), Is.EqualTo("c"));
        }

        [Test]
        public void ConsumeOnAnEmptyRingDoesNothing()
        {
            var r = new LogRing(2, 8);
            r.Consume();
            Assert.That(r.Count, Is.EqualTo(0));
            Assert.That(Add(r, "a") && Add(r, "b"), Is.True, "both slots still usable");
            Assert.That(r.Full, Is.True);
        }
    }
}
