using System;
using System.Collections.Generic;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    [TestFixture]
    public class RbTreeTests
    {
        sealed class N : RbNode { public int Tag; }

        static void Ok(RbTree t) { string e = t.Check(); Assert.That(e, Is.Null, e); }

        static List<RbNode> InOrder(RbTree t)
        {
            var l = new List<RbNode>();
            for (RbNode n = t.First; n != null; n = RbTree.Next(n)) l.Add(n);
            return l;
        }

        [Test]
        public void EmptyTree()
        {
            var t = new RbTree();
            Assert.That(t.First, Is.Null);
            Assert.That(t.IsEmpty, Is.True);
            Assert.That(t.Count, Is.EqualTo(0));
            Ok(t);
        }

        [Test]
        public void RemoveNodeNotInTreeIsNoop()
        {
            var t = new RbTree();
            var a = new N();
            t.Remove(a);
            Ok(t);
            t.Insert(a, 1);
            t.Remove(a);
            t.Remove(a);
            Ok(t);
            Assert.That(a.InTree, Is.False);
        }

        [TestCase(1)]
        [TestCase(2)]
        [TestCase(3)]
        [TestCase(10)]
        [TestCase(100)]
        [TestCase(1000)]
        public void AscendingDescendingInsertStaysBalanced(int n)
        {
            var t = new RbTree();
            var nodes = new N[n];
            for (int i = 0; i < n; i++) { nodes[i] = new N { Tag = i }; t.Insert(nodes[i], i); Ok(t); }
            Assert.That(t.First, Is.SameAs(nodes[0]));
            for (int i = 0; i < n; i++) { t.Remove(nodes[i]); Ok(t); }
            for (int i = n - 1; i >= 0; i--) { t.Insert(nodes[i], i); Ok(t); }
            Assert.That(t.First, Is.SameAs(nodes[0]));
            for (int i = n - 1; i >= 0; i--) { t.Remove(nodes[i]); Ok(t); }
            Assert.That(t.IsEmpty);
        }

        [TestCase(2)]
        [TestCase(5)]
        [TestCase(64)]
        [TestCase(500)]
        public void EqualKeysAreFifo(int n)
        {
            var t = new RbTree();
            var nodes = new N[n];
            for (int i = 0; i < n; i++) { nodes[i] = new N { Tag = i }; t.Insert(nodes[i], 42); }
            Ok(t);
            var l = InOrder(t);
            for (int i = 0; i < n; i++) Assert.That(((N)l[i]).Tag, Is.EqualTo(i));
            // Remove the head repeatedly: FIFO service order.
            for (int i = 0; i < n; i++) { Assert.That(((N)t.First).Tag, Is.EqualTo(i)); t.Remove(t.First); Ok(t); }
        }

        [Test]
        public void InsertFirstGoesBeforeEquals()
        {
            var t = new RbTree();
            var a = new N { Tag = 1 }; var b = new N { Tag = 2 }; var c = new N { Tag = 3 }; var d = new N { Tag = 4 };
            t.Insert(a, 5); t.Insert(b, 5); t.InsertFirst(c, 5); t.Insert(d, 4);
            Ok(t);
            var l = InOrder(t);
            Assert.That(l, Is.EqualTo(new RbNode[] { d, c, a, b }));
        }

        [Test]
        public void NegativeAndExtremeKeys()
        {
            var t = new RbTree();
            long[] keys = { long.MaxValue, long.MinValue, 0, -1, 1, long.MaxValue, long.MinValue };
            var nodes = new N[keys.Length];
            for (int i = 0; i < keys.Length; i++) { nodes[i] = new N { Tag = i }; t.Insert(nodes[i], keys[i]); Ok(t); }
            var l = InOrder(t);
            Assert.That(l[0], Is.SameAs(nodes[1]));
            Assert.That(l[1], Is.SameAs(nodes[6]));
            Assert.That(l[l.Count - 1], Is.SameAs(nodes[5]));
        }

        /// <summary>Randomized operations against a sorted-list model, invariants after every step.</summary>
        [TestCase(1, 4, 2000)]
        [TestCase(2, 16, 3000)]
        [TestCase(3, 200, 5000)]
        [TestCase(4, 1000, 8000)]
        [TestCase(5, 3, 2000)]
        [TestCase(6, 50, 5000)]
        [TestCase(7, 500, 5000)]
        [TestCase(8, 64, 4000)]
        public void Fuzz(int seed, int keyRange, int steps)
        {
            var rnd = new Random(seed);
            var t = new RbTree();
            var pool = new N[300];
            for (int i = 0; i < pool.Length; i++) pool[i] = new N { Tag = i };
            var model = new List<N>(); // sorted by (key, insertion order)
            for (int s = 0; s < steps; s++)
            {
                var n = pool[rnd.Next(pool.Length)];
                int op = rnd.Next(10);
                if (n.InTree)
                {
                    t.Remove(n);
                    model.Remove(n);
                }
                else
                {
                    long key = rnd.Next(keyRange);
                    if (op < 2)
                    {
                        t.InsertFirst(n, key);
                        int idx = model.FindIndex(x => x.Key >= key);
                        model.Insert(idx < 0 ? model.Count : idx, n);
                    }
                    else
                    {
                        t.Insert(n, key);
                        int idx = model.FindIndex(x => x.Key > key);
                        model.Insert(idx < 0 ? model.Count : idx, n);
                    }
                }
                Ok(t);
                Assert.That(t.Count, Is.EqualTo(model.Count));
                if (s % 37 == 0 || model.Count < 8)
                    Assert.That(InOrder(t), Is.EqualTo(model.ConvertAll(x => (RbNode)x)));
                Assert.That(t.First, Is.SameAs(model.Count == 0 ? null : model[0]));
            }
        }
    }

    [TestFixture]
    public class ChainTests
    {
        [Test]
        public void AppendPrependRemove()
        {
            var c = new Chain();
            Assert.That(c.IsEmpty); Assert.That(c.First, Is.Null); Assert.That(c.Last, Is.Null);
            var a = new ChainNode(); var b = new ChainNode(); var d = new ChainNode();
            c.Append(a); c.Append(b); c.Prepend(d);
            Assert.That(c.Check(), Is.Null);
            Assert.That(c.First, Is.SameAs(d)); Assert.That(c.NextOf(d), Is.SameAs(a)); Assert.That(c.Last, Is.SameAs(b));
            Assert.That(c.NextOf(b), Is.Null);
            c.Remove(a);
            Assert.That(c.Check(), Is.Null); Assert.That(a.IsLinked, Is.False); Assert.That(c.Count, Is.EqualTo(2));
            c.Remove(a); // not linked: no-op
            Assert.That(c.Count, Is.EqualTo(2));
            c.Remove(d); c.Remove(b);
            Assert.That(c.IsEmpty); Assert.That(c.Check(), Is.Null);
        }

        [TestCase(1)]
        [TestCase(2)]
        [TestCase(3)]
        public void Fuzz(int seed)
        {
            var rnd = new Random(seed);
            var c = new Chain();
            var pool = new ChainNode[40];
            for (int i = 0; i < pool.Length; i++) pool[i] = new ChainNode();
            var model = new LinkedList<ChainNode>();
            for (int s = 0; s < 3000; s++)
            {
                var n = pool[rnd.Next(pool.Length)];
                if (n.IsLinked) { c.Remove(n); model.Remove(n); }
                else if (rnd.Next(2) == 0) { c.Append(n); model.AddLast(n); }
                else { c.Prepend(n); model.AddFirst(n); }
                Assert.That(c.Check(), Is.Null);
                var got = new List<ChainNode>();
                for (var x = c.First; x != null; x = c.NextOf(x)) got.Add(x);
                Assert.That(got, Is.EqualTo(new List<ChainNode>(model)));
            }
        }
    }

    [TestFixture]
    public class BitmapTests
    {
        [Test]
        public void EmptyIsMinusOne()
        {
            var b = new PriorityBitmap();
            Assert.That(b.Lowest(), Is.EqualTo(-1));
            Assert.That(b.IsEmpty);
        }

        [TestCase(0)] [TestCase(1)] [TestCase(63)] [TestCase(64)] [TestCase(65)] [TestCase(127)]
        [TestCase(128)] [TestCase(191)] [TestCase(192)] [TestCase(254)] [TestCase(255)]
        public void SingleLevel(int level)
        {
            var b = new PriorityBitmap();
            b.Set(level);
            Assert.That(b.Lowest(), Is.EqualTo(level));
            Assert.That(b.IsSet(level));
            Assert.That(b.Check(), Is.Null);
            b.Clear(level);
            Assert.That(b.Lowest(), Is.EqualTo(-1));
            Assert.That(b.Check(), Is.Null);
        }

        [Test]
        public void AllLevelsDescending()
        {
            var b = new PriorityBitmap();
            for (int l = 255; l >= 0; l--) { b.Set(l); Assert.That(b.Lowest(), Is.EqualTo(l)); }
            for (int l = 0; l < 256; l++) { Assert.That(b.Lowest(), Is.EqualTo(l)); b.Clear(l); Assert.That(b.Check(), Is.Null); }
        }

        [TestCase(0UL, -1)]
        [TestCase(1UL, 0)]
        [TestCase(0x8000000000000000UL, 63)]
        [TestCase(0xF0UL, 4)]
        [TestCase(0xFFFFFFFFFFFFFFFFUL, 0)]
        [TestCase(0x0000010000000000UL, 40)]
        public void LowestSetBit(ulong x, int expected)
        {
            Assert.That(Bits.LowestSetBit(x), Is.EqualTo(expected));
        }

        [TestCase(11)]
        [TestCase(12)]
        public void Fuzz(int seed)
        {
            var rnd = new Random(seed);
            var b = new PriorityBitmap();
            var model = new bool[256];
            for (int s = 0; s < 5000; s++)
            {
                int l = rnd.Next(256);
                if (model[l]) { b.Clear(l); model[l] = false; } else { b.Set(l); model[l] = true; }
                int exp = Array.IndexOf(model, true);
                Assert.That(b.Lowest(), Is.EqualTo(exp));
                Assert.That(b.Check(), Is.Null);
            }
        }
    }

    [TestFixture]
    public class BandwidthTests
    {
        [TestCase(1, 2, 1, 2, 0)]
        [TestCase(1, 3, 1, 2, -1)]
        [TestCase(2, 3, 1, 2, 1)]
        [TestCase(0, 5, 0, 7, 0)]
        [TestCase(0, 5, 1, 7, -1)]
        [TestCase(7, 7, 1, 1, 0)]
        [TestCase(999999999999L, 1000000000000L, 999999999998L, 999999999999L, 1)]
        [TestCase(4611686018427387903L, 4611686018427387904L, 4611686018427387902L, 4611686018427387903L, 1)]
        [TestCase(3, 1, 5, 2, 1)]
        public void CompareExact(long a, long b, long c, long d, int expected)
        {
            Assert.That(Bandwidth.Compare(a, b, c, d), Is.EqualTo(expected));
            Assert.That(Bandwidth.Compare(c, d, a, b), Is.EqualTo(-expected));
        }

        [Test]
        public void AddSubReduce()
        {
            long n = 0, d = 1;
            Assert.That(Bandwidth.TryAdd(ref n, ref d, 1, 3));
            Assert.That(Bandwidth.TryAdd(ref n, ref d, 1, 6));
            Assert.That(n, Is.EqualTo(1)); Assert.That(d, Is.EqualTo(2));
            Assert.That(Bandwidth.TrySub(ref n, ref d, 1, 2));
            Assert.That(n, Is.EqualTo(0));
            Assert.That(Bandwidth.TrySub(ref n, ref d, 1, 2), Is.False);
        }

        [Test]
        public void OverflowIsReported()
        {
            long n = 1, d = 4611686018427387847L; // a large prime-ish denominator
            Assert.That(Bandwidth.TryAdd(ref n, ref d, 1, 4611686018427387817L), Is.False);
            Assert.That(n, Is.EqualTo(1));
        }

        [TestCase(1, 2, 0x8000000000L)]
        [TestCase(1, 1, 0x10000000000L)]
        [TestCase(1, 3, 0x5555555555L)]
        public void FixedPointFloor(long q, long t, long expected)
        {
            Assert.That(Bandwidth.ToFixed(q, t, false), Is.EqualTo(expected));
        }

        [Test]
        public void FixedPointCeilAndPpm()
        {
            Assert.That(Bandwidth.ToFixed(1, 3, true), Is.EqualTo(0x5555555556L));
            Assert.That(Bandwidth.ToPpm(1, 4), Is.EqualTo(250000));
            Assert.That(Bandwidth.ToPpm(1, 3), Is.EqualTo(333333));
        }
    }
}
