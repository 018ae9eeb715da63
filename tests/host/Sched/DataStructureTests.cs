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

    /// <summary>
    /// The insertion fast paths (attach at the cached Last or First without a
    /// search) and in-place Rekey: order, FIFO among equal keys, balance.
    /// </summary>
    [TestFixture]
    public class RbTreeFastPathTests
    {
        sealed class N : RbNode { public int Tag; }

        static void Ok(RbTree t)
        {
            string e = t.Check();
            Assert.That(e, Is.Null, e);
            Assert.That(Height(t.Root), Is.LessThanOrEqualTo(2 * Log2(t.Count + 1)), "height of " + t.Count + " nodes");
        }

        static int Log2(int x) { int l = 0; while ((1 << (l + 1)) <= x) l++; return (1 << l) == x ? l : l + 1; }

        static int Height(RbNode n) { return n == null ? 0 : 1 + Math.Max(Height(n.Left), Height(n.Right)); }

        static List<RbNode> InOrder(RbTree t)
        {
            var l = new List<RbNode>();
            for (RbNode n = t.First; n != null; n = RbTree.Next(n)) l.Add(n);
            return l;
        }

        static List<RbNode> ReverseOrder(RbTree t)
        {
            var l = new List<RbNode>();
            for (RbNode n = t.Last; n != null; n = RbTree.Prev(n)) l.Add(n);
            l.Reverse();
            return l;
        }

        [Test]
        public void LastIsCachedMaximum()
        {
            var t = new RbTree();
            Assert.That(t.Last, Is.Null);
            var a = new N { Tag = 1 }; var b = new N { Tag = 2 }; var c = new N { Tag = 3 };
            t.Insert(a, 5); Assert.That(t.Last, Is.SameAs(a)); Assert.That(t.First, Is.SameAs(a));
            t.Insert(b, 9); Assert.That(t.Last, Is.SameAs(b));
            t.Insert(c, 7); Assert.That(t.Last, Is.SameAs(b));
            t.Remove(b); Assert.That(t.Last, Is.SameAs(c));
            t.Remove(c); Assert.That(t.Last, Is.SameAs(a));
            t.Remove(a); Assert.That(t.Last, Is.Null); Assert.That(t.First, Is.Null);
            Ok(t);
        }

        [Test]
        public void InsertAtOrAboveMaximumGoesBehindEquals()
        {
            var t = new RbTree();
            var n = new N[6];
            for (int i = 0; i < n.Length; i++) n[i] = new N { Tag = i };
            t.Insert(n[0], 10);
            t.Insert(n[1], 10);      // == max: fast path, behind its equal
            t.Insert(n[2], 20);      // > max: fast path
            t.Insert(n[3], 20);      // == max again
            t.InsertFirst(n[4], 20); // InsertFirst at the max key: in front of its equals (search path)
            t.InsertFirst(n[5], 21); // InsertFirst above the max: fast path
            Ok(t);
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { n[0], n[1], n[4], n[2], n[3], n[5] }));
            Assert.That(t.Last, Is.SameAs(n[5]));
        }

        [Test]
        public void InsertAtOrBelowMinimum()
        {
            var t = new RbTree();
            var n = new N[6];
            for (int i = 0; i < n.Length; i++) n[i] = new N { Tag = i };
            t.Insert(n[0], 10);
            t.Insert(n[1], 5);       // < min: fast path at First
            t.Insert(n[2], 5);       // == min: behind its equal (search path)
            t.InsertFirst(n[3], 5);  // InsertFirst at the min key: fast path, in front of its equals
            t.InsertFirst(n[4], 4);  // InsertFirst below the min: fast path
            t.Insert(n[5], 3);       // Insert below the min: fast path
            Ok(t);
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { n[5], n[4], n[3], n[1], n[2], n[0] }));
            Assert.That(t.First, Is.SameAs(n[5]));
        }

        [TestCase(1)]
        [TestCase(7)]
        [TestCase(1000)]
        [TestCase(20000)]
        public void MonotoneInsertionsAtTheEndsStayOrderedAndBalanced(int count)
        {
            var t = new RbTree();
            var n = new N[count];
            for (int i = 0; i < count; i++) { n[i] = new N { Tag = i }; t.Insert(n[i], i / 3); } // ascending, with ties
            Ok(t);
            var asc = InOrder(t);
            for (int i = 0; i < count; i++) Assert.That(((N)asc[i]).Tag, Is.EqualTo(i));
            var u = new RbTree();
            for (int i = 0; i < count; i++) u.InsertFirst(n[i], -(i / 3)); // descending, each in front of its equals
            Ok(u);
            var l = InOrder(u);
            for (int i = 0; i < count; i++) Assert.That(((N)l[i]).Tag, Is.EqualTo(count - 1 - i));
        }

        /// <summary>EDF periodic steady state: pop the minimum, push it back at or beyond the maximum.</summary>
        [TestCase(1, 1)]
        [TestCase(2, 3)]
        [TestCase(64, 1)]
        [TestCase(500, 7)]
        public void PopMinimumPushMaximumSteadyState(int count, int tieEvery)
        {
            var t = new RbTree();
            var model = new List<RbNode>();
            long key = 0;
            for (int i = 0; i < count; i++) { var x = new N { Tag = i }; t.Insert(x, key); model.Add(x); if (i % tieEvery == 0) key++; }
            for (int s = 0; s < 5000; s++)
            {
                RbNode f = t.First;
                Assert.That(f, Is.SameAs(model[0]));
                if ((s & 1) == 0)
                {
                    t.Remove(f);
                    t.Insert(f, key);
                }
                else
                {
                    t.Rekey(f, key, false);
                }
                model.RemoveAt(0);
                model.Add(f);
                if (s % tieEvery == 0) key++;
                Assert.That(t.Last, Is.SameAs(f));
                if (s % 97 == 0 || count < 16)
                {
                    Ok(t);
                    Assert.That(InOrder(t), Is.EqualTo(model));
                }
            }
            Ok(t);
            Assert.That(InOrder(t), Is.EqualTo(model));
            Assert.That(ReverseOrder(t), Is.EqualTo(model));
        }

        [Test]
        public void RekeyInPlaceKeepsPositionAndMovesOtherwise()
        {
            var t = new RbTree();
            var a = new N { Tag = 1 }; var b = new N { Tag = 2 }; var c = new N { Tag = 3 };
            t.Insert(a, 10); t.Insert(b, 20); t.Insert(c, 30);
            RbNode root = t.Root;
            t.Rekey(b, 25, false);   // still between 10 and 30: in place, no relinking
            Assert.That(t.Root, Is.SameAs(root));
            Assert.That(b.Key, Is.EqualTo(25));
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { a, b, c }));
            t.Rekey(b, 30, false);   // equal to c: FIFO puts b behind c
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { a, c, b }));
            t.Rekey(b, 30, true);    // in front of its equal c
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { a, b, c }));
            t.Rekey(b, 10, false);   // behind a
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { a, b, c }));
            t.Rekey(b, 10, true);    // in front of a
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { b, a, c }));
            Assert.That(t.First, Is.SameAs(b));
            t.Rekey(b, 5, true);     // first stays first
            Assert.That(t.First, Is.SameAs(b));
            t.Rekey(c, 99, false);   // last stays last
            Assert.That(t.Last, Is.SameAs(c));
            t.Rekey(c, 0, false);    // last becomes first
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { c, b, a }));
            Assert.That(t.Last, Is.SameAs(a));
            var d = new N { Tag = 4 };
            t.Rekey(d, 7, false);    // not linked: inserted
            Assert.That(InOrder(t), Is.EqualTo(new RbNode[] { c, b, d, a }));
            Ok(t);
        }

        /// <summary>
        /// Random operations against a sorted-list model, with keys chosen to hit
        /// every path: below/at the minimum, at/above the maximum, inside, and
        /// Rekey in both tie modes. Invariants, First, Last after every step.
        /// </summary>
        [TestCase(1, 3, 4000)]
        [TestCase(2, 20, 4000)]
        [TestCase(3, 1000, 6000)]
        [TestCase(4, 2, 3000)]
        [TestCase(5, 100000, 6000)]
        [TestCase(6, 8, 8000)]
        public void FuzzWithFastPathsAndRekey(int seed, int spread, int steps)
        {
            var rnd = new Random(seed);
            var t = new RbTree();
            var pool = new N[120];
            for (int i = 0; i < pool.Length; i++) pool[i] = new N { Tag = i };
            var model = new List<N>();
            for (int s = 0; s < steps; s++)
            {
                var n = pool[rnd.Next(pool.Length)];
                long min = model.Count == 0 ? 0 : model[0].Key;
                long max = model.Count == 0 ? 0 : model[model.Count - 1].Key;
                long key;
                switch (rnd.Next(6))
                {
                    case 0: key = min - rnd.Next(2); break;           // at or below the minimum
                    case 1: key = max + rnd.Next(2); break;           // at or above the maximum
                    case 2: key = min; break;
                    case 3: key = max; break;
                    default: key = min - 1 + rnd.Next(spread + 2); break;
                }
                bool atHead = rnd.Next(3) == 0;
                int op = rnd.Next(10);
                if (n.InTree && op < 4)
                {
                    t.Remove(n);
                    model.Remove(n);
                }
                else
                {
                    // Insert, InsertFirst, or Rekey (of a linked or unlinked node).
                    if (n.InTree || op >= 7)
                    {
                        t.Rekey(n, key, atHead);
                    }
                    else if (atHead) t.InsertFirst(n, key);
                    else t.Insert(n, key);
                    model.Remove(n);
                    int idx = atHead ? model.FindIndex(x => x.Key >= key) : model.FindIndex(x => x.Key > key);
                    model.Insert(idx < 0 ? model.Count : idx, n);
                }
                string e = t.Check();
                Assert.That(e, Is.Null, "step " + s + ": " + e);
                Assert.That(t.Count, Is.EqualTo(model.Count));
                Assert.That(t.First, Is.SameAs(model.Count == 0 ? null : model[0]), "First at step " + s);
                Assert.That(t.Last, Is.SameAs(model.Count == 0 ? null : model[model.Count - 1]), "Last at step " + s);
                if (s % 11 == 0 || model.Count < 10)
                    Assert.That(InOrder(t), Is.EqualTo(model.ConvertAll(x => (RbNode)x)), "order at step " + s);
            }
            Ok(t);
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
