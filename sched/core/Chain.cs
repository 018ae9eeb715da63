using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>Intrusive doubly linked chain link, embedded in the object it links.</summary>
    public class ChainNode
    {
        public ChainNode Next;
        public ChainNode Prev;
        /// <summary>Back pointer to the owning thread (null when the owner is not a thread).</summary>
        public SchedThread Thread;
        /// <summary>True while linked (a node is on at most one chain).</summary>
        public bool IsLinked { get { return Next != null; } }
    }

    /// <summary>
    /// Circular doubly linked chain with a sentinel head: head.Next is the
    /// first node, head.Prev the last, an empty chain points at itself.
    /// Every operation is O(1) and allocation free.
    /// </summary>
    public sealed class Chain
    {
        readonly ChainNode head = new ChainNode();
        int count;

        public Chain()
        {
            head.Next = head;
            head.Prev = head;
        }

        public int Count { get { return count; } }
        public bool IsEmpty { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return head.Next == head; } }
        public ChainNode First { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return head.Next == head ? null : head.Next; } }
        public ChainNode Last { get { return head.Prev == head ? null : head.Prev; } }

        /// <summary>Successor of n on this chain, or null at the end.</summary>
        public ChainNode NextOf(ChainNode n) { return n.Next == head ? null : n.Next; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(ChainNode n)
        {
            n.Prev = head.Prev;
            n.Next = head;
            head.Prev.Next = n;
            head.Prev = n;
            count++;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Prepend(ChainNode n)
        {
            n.Next = head.Next;
            n.Prev = head;
            head.Next.Prev = n;
            head.Next = n;
            count++;
        }

        /// <summary>Unlink n, which must be on this chain.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Remove(ChainNode n)
        {
            if (n.Next == null) return;
            n.Prev.Next = n.Next;
            n.Next.Prev = n.Prev;
            n.Next = null;
            n.Prev = null;
            count--;
        }

        public bool Contains(ChainNode n)
        {
            for (ChainNode c = head.Next; c != head; c = c.Next)
                if (c == n) return true;
            return false;
        }

        /// <summary>Links are mutually consistent and Count matches. Null when sound.</summary>
        public string Check()
        {
            int n = 0;
            ChainNode c = head;
            do
            {
                if (c.Next == null || c.Prev == null) return "null link in chain";
                if (c.Next.Prev != c) return "Next.Prev != node";
                c = c.Next;
                if (c != head) n++;
                if (n > count + 1) return "chain longer than Count";
            } while (c != head);
            if (n != count) return "Count " + count + " but " + n + " linked";
            return null;
        }
    }
}
