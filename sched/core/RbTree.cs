using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Intrusive red-black tree link. The node is a field of (or a base class
    /// of) the object it orders, allocated with that object, so inserting and
    /// removing never allocates. Order is by Key; equal keys keep their
    /// insertion order (FIFO, or in front of their equals for InsertFirst):
    /// the insertion path decides, so no tie-breaking stamp is stored.
    /// </summary>
    public class RbNode
    {
        public RbNode Left;
        public RbNode Right;
        public RbNode Parent;
        /// <summary>Back pointer for nodes embedded in a thread (null for watchdogs and priority nodes).</summary>
        public SchedThread Thread;
        public long Key;
        public bool Red;
        /// <summary>True while linked into a tree. A node is in at most one tree.</summary>
        public bool InTree;
    }

    /// <summary>
    /// Red-black tree over <see cref="RbNode"/> (CLRS algorithm, null leaves),
    /// with the minimum (First) and maximum (Last) cached.
    /// Invariants (checked by <see cref="Check"/>):
    ///  1. in-order traversal is non-decreasing in Key, and nodes with equal
    ///     keys are in insertion order (Insert appends behind its equals,
    ///     InsertFirst goes in front of them; a test model checks this);
    ///  2. the root is black and no red node has a red child;
    ///  3. every root-to-leaf path has the same number of black nodes;
    ///  4. child.Parent == parent for every link, root.Parent == null;
    ///  5. First is the minimum node and Last the maximum (so the ready-queue
    ///     head is O(1), and an insertion at either end needs no search);
    ///  6. Count equals the number of linked nodes.
    ///
    /// Fast paths: an Insert whose key is &gt;= Last's (a later deadline than
    /// every queued one: the usual case for periodic releases) is linked as
    /// Last's right child, one whose key is &lt; First's as First's left child,
    /// without walking down from the root; Rekey changes a key in place when
    /// the node's position does not change.
    /// </summary>
    public sealed class RbTree
    {
        RbNode root;
        RbNode first;
        RbNode last;
        int count;

        public RbNode Root { get { return root; } }
        public RbNode First { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return first; } }
        public RbNode Last { get { return last; } }
        public int Count { get { return count; } }
        public bool IsEmpty { get { return root == null; } }

        /// <summary>Insert after all nodes with an equal key (FIFO). O(log n); O(1) plus rebalancing at either end.</summary>
        public void Insert(RbNode n, long key) { Place(n, key, false); }

        /// <summary>Insert before all nodes with an equal key. O(log n); O(1) plus rebalancing at either end.</summary>
        public void InsertFirst(RbNode n, long key) { Place(n, key, true); }

        /// <summary>
        /// Link n with key behind its equals, or in front of them when atHead:
        /// at an equal node the walk goes right, or left when atHead.
        /// </summary>
        void Place(RbNode n, long key, bool atHead)
        {
            n.Key = key;
            RbNode parent = root;
            bool goLeft = false;
            if (parent == null)
            {
                first = n;
                last = n;
            }
            else if (atHead ? key > last.Key : key >= last.Key)
            {
                // Beyond the maximum: Last's right child, the new Last.
                parent = last;
                last = n;
            }
            else if (atHead ? key <= first.Key : key < first.Key)
            {
                // Before the minimum: First's left child, the new First.
                parent = first;
                goLeft = true;
                first = n;
            }
            else
            {
                // Strictly between First and Last: neither end changes.
                RbNode cur = root;
                while (cur != null)
                {
                    parent = cur;
                    goLeft = atHead ? key <= cur.Key : key < cur.Key;
                    cur = goLeft ? cur.Left : cur.Right;
                }
            }
            Link(n, parent, goLeft);
        }

        /// <summary>
        /// Give a linked node a new key, as Remove then Insert (atHead false:
        /// behind its new equals) or InsertFirst (atHead true: in front of
        /// them) would, but in place when the node's position does not change
        /// (only the neighbour on the side the key moves to is looked at). A
        /// node not in the tree is inserted.
        /// </summary>
        public void Rekey(RbNode n, long key, bool atHead)
        {
            if (n.InTree)
            {
                bool stays;
                if (atHead ? key > n.Key : key >= n.Key)
                {
                    // Moving up (or, FIFO, staying equal): the successor must stay above.
                    RbNode q = n == last ? null : Next(n);
                    stays = q == null || (atHead ? key <= q.Key : key < q.Key);
                }
                else
                {
                    RbNode p = n == first ? null : Prev(n);
                    stays = p == null || (atHead ? p.Key < key : p.Key <= key);
                }
                if (stays)
                {
                    n.Key = key;
                    return;
                }
                Remove(n);
            }
            if (atHead) InsertFirst(n, key);
            else Insert(n, key);
        }

        void Link(RbNode n, RbNode parent, bool goLeft)
        {
            n.Parent = parent;
            n.Left = null;
            n.Right = null;
            n.Red = true;
            n.InTree = true;
            if (parent == null) root = n;
            else if (goLeft) parent.Left = n;
            else parent.Right = n;
            count++;
            InsertFixup(n);
        }

        void InsertFixup(RbNode z)
        {
            while (z.Parent != null && z.Parent.Red)
            {
                RbNode p = z.Parent;
                RbNode g = p.Parent; // exists: a red node is never the root
                if (p == g.Left)
                {
                    RbNode u = g.Right;
                    if (u != null && u.Red)
                    {
                        p.Red = false;
                        u.Red = false;
                        g.Red = true;
                        z = g;
                    }
                    else
                    {
                        if (z == p.Right)
                        {
                            z = p;
                            RotateLeft(z);
                            p = z.Parent;
                        }
                        p.Red = false;
                        g.Red = true;
                        RotateRight(g);
                    }
                }
                else
                {
                    RbNode u = g.Left;
                    if (u != null && u.Red)
                    {
                        p.Red = false;
                        u.Red = false;
                        g.Red = true;
                        z = g;
                    }
                    else
                    {
                        if (z == p.Left)
                        {
                            z = p;
                            RotateRight(z);
                            p = z.Parent;
                        }
                        p.Red = false;
                        g.Red = true;
                        RotateLeft(g);
                    }
                }
            }
            root.Red = false;
        }

        void RotateLeft(RbNode x)
        {
            RbNode y = x.Right;
            x.Right = y.Left;
            if (y.Left != null) y.Left.Parent = x;
            y.Parent = x.Parent;
            if (x.Parent == null) root = y;
            else if (x == x.Parent.Left) x.Parent.Left = y;
            else x.Parent.Right = y;
            y.Left = x;
            x.Parent = y;
        }

        void RotateRight(RbNode x)
        {
            RbNode y = x.Left;
            x.Left = y.Right;
            if (y.Right != null) y.Right.Parent = x;
            y.Parent = x.Parent;
            if (x.Parent == null) root = y;
            else if (x == x.Parent.Right) x.Parent.Right = y;
            else x.Parent.Left = y;
            y.Right = x;
            x.Parent = y;
        }

        void Transplant(RbNode u, RbNode v)
        {
            if (u.Parent == null) root = v;
            else if (u == u.Parent.Left) u.Parent.Left = v;
            else u.Parent.Right = v;
            if (v != null) v.Parent = u.Parent;
        }

        static RbNode Min(RbNode n)
        {
            while (n.Left != null) n = n.Left;
            return n;
        }

        static RbNode Max(RbNode n)
        {
            while (n.Right != null) n = n.Right;
            return n;
        }

        /// <summary>In-order successor, or null.</summary>
        public static RbNode Next(RbNode n)
        {
            if (n.Right != null) return Min(n.Right);
            RbNode p = n.Parent;
            while (p != null && n == p.Right)
            {
                n = p;
                p = p.Parent;
            }
            return p;
        }

        /// <summary>In-order predecessor, or null.</summary>
        public static RbNode Prev(RbNode n)
        {
            if (n.Left != null) return Max(n.Left);
            RbNode p = n.Parent;
            while (p != null && n == p.Left)
            {
                n = p;
                p = p.Parent;
            }
            return p;
        }

        /// <summary>Unlink n; a node not in a tree is ignored. O(log n); amortized O(1) rebalancing.</summary>
        public void Remove(RbNode z)
        {
            if (!z.InTree) return;
            // The minimum has no left child, so its successor is the minimum of
            // its right subtree or else its parent (symmetrically for the maximum).
            if (z == first) first = z.Right != null ? Min(z.Right) : z.Parent;
            if (z == last) last = z.Left != null ? Max(z.Left) : z.Parent;
            RbNode y = z;
            bool yRed = y.Red;
            RbNode x;
            RbNode xParent;
            if (z.Left == null)
            {
                x = z.Right;
                xParent = z.Parent;
                Transplant(z, z.Right);
            }
            else if (z.Right == null)
            {
                x = z.Left;
                xParent = z.Parent;
                Transplant(z, z.Left);
            }
            else
            {
                y = Min(z.Right);
                yRed = y.Red;
                x = y.Right;
                if (y.Parent == z)
                {
                    xParent = y;
                }
                else
                {
                    xParent = y.Parent;
                    Transplant(y, y.Right);
                    y.Right = z.Right;
                    y.Right.Parent = y;
                }
                Transplant(z, y);
                y.Left = z.Left;
                y.Left.Parent = y;
                y.Red = z.Red;
            }
            if (!yRed) DeleteFixup(x, xParent);
            z.Left = null;
            z.Right = null;
            z.Parent = null;
            z.Red = false;
            z.InTree = false;
            count--;
        }

        static bool IsRed(RbNode n) { return n != null && n.Red; }

        void DeleteFixup(RbNode x, RbNode parent)
        {
            // x carries an extra black; parent is its parent (x may be null).
            while (x != root && !IsRed(x))
            {
                if (x == parent.Left)
                {
                    RbNode w = parent.Right; // non-null: the other side has black height >= 1
                    if (w.Red)
                    {
                        w.Red = false;
                        parent.Red = true;
                        RotateLeft(parent);
                        w = parent.Right;
                    }
                    if (!IsRed(w.Left) && !IsRed(w.Right))
                    {
                        w.Red = true;
                        x = parent;
                        parent = x.Parent;
                    }
                    else
                    {
                        if (!IsRed(w.Right))
                        {
                            w.Left.Red = false;
                            w.Red = true;
                            RotateRight(w);
                            w = parent.Right;
                        }
                        w.Red = parent.Red;
                        parent.Red = false;
                        if (w.Right != null) w.Right.Red = false;
                        RotateLeft(parent);
                        x = root;
                        parent = null;
                    }
                }
                else
                {
                    RbNode w = parent.Left;
                    if (w.Red)
                    {
                        w.Red = false;
                        parent.Red = true;
                        RotateRight(parent);
                        w = parent.Left;
                    }
                    if (!IsRed(w.Left) && !IsRed(w.Right))
                    {
                        w.Red = true;
                        x = parent;
                        parent = x.Parent;
                    }
                    else
                    {
                        if (!IsRed(w.Left))
                        {
                            w.Right.Red = false;
                            w.Red = true;
                            RotateLeft(w);
                            w = parent.Left;
                        }
                        w.Red = parent.Red;
                        parent.Red = false;
                        if (w.Left != null) w.Left.Red = false;
                        RotateRight(parent);
                        x = root;
                        parent = null;
                    }
                }
            }
            if (x != null) x.Red = false;
        }

        /// <summary>
        /// Verify every invariant listed on the class. Returns null when the
        /// tree is sound, otherwise a description of the first violation.
        /// Not for hot paths (it walks the whole tree).
        /// </summary>
        public string Check()
        {
            if (root == null)
            {
                if (first != null || last != null) return "empty tree has a First or Last";
                if (count != 0) return "empty tree has Count " + count;
                return null;
            }
            if (root.Red) return "root is red";
            if (root.Parent != null) return "root has a parent";
            int n = 0;
            string err = null;
            int bh = CheckNode(root, ref n, ref err);
            if (err != null) return err;
            if (bh < 0) return "black height mismatch";
            if (n != count) return "Count " + count + " but " + n + " nodes linked";
            if (first != Min(root)) return "First is not the minimum";
            if (last != Max(root)) return "Last is not the maximum";
            // Order: non-decreasing in-order, and Prev mirrors Next.
            RbNode prev = null;
            RbNode cur = Min(root);
            int walked = 0;
            while (cur != null)
            {
                if (!cur.InTree) return "linked node not flagged InTree";
                if (prev != null && cur.Key < prev.Key) return "order violated at key " + cur.Key;
                if (Prev(cur) != prev) return "predecessor walk disagrees at key " + cur.Key;
                prev = cur;
                cur = Next(cur);
                walked++;
                if (walked > count) return "in-order walk does not terminate";
            }
            return null;
        }

        static int CheckNode(RbNode n, ref int count, ref string err)
        {
            if (n == null) return 1;
            count++;
            if (n.Left != null && n.Left.Parent != n) { err = "bad parent link at key " + n.Left.Key; return -1; }
            if (n.Right != null && n.Right.Parent != n) { err = "bad parent link at key " + n.Right.Key; return -1; }
            if (n.Red && (IsRed(n.Left) || IsRed(n.Right))) { err = "red node with red child at key " + n.Key; return -1; }
            int l = CheckNode(n.Left, ref count, ref err);
            if (l < 0) return -1;
            int r = CheckNode(n.Right, ref count, ref err);
            if (r < 0) return -1;
            if (l != r) { err = "black height differs under key " + n.Key; return -1; }
            return l + (n.Red ? 0 : 1);
        }
    }
}
