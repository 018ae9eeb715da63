using System.Runtime.CompilerServices;

namespace Osprey.Kernel.SelfTest
{
    // The C# the kernel runtime supports (kernel/README.md lists it).
    internal sealed unsafe class RuntimeSuite : Suite
    {
        internal override string Name { get { return "runtime"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "class_fields_and_methods", "virtual_calls", "interface_dispatch_four_types", "default_interface_method",
                    "generic_class_over_values", "generic_class_over_references", "generic_method", "struct_by_value",
                    "arrays_and_foreach", "array_of_references_type_checked_store", "string_concat_and_format",
                    "string_compare_substring", "integer_formatting_extremes", "static_constructor_runs_once",
                    "reference_statics", "preinitialized_readonly_array", "is_and_as_casts", "box_unbox",
                    "long_division_and_shifts", "function_pointers", "enum_switch",
                };
            }
        }

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0: { Counter c = new Counter(); c.Add(5); c.Add(7); t.Equal(12, c.Total, "fields updated by methods"); break; }
                case 1:
                {
                    Animal[] zoo = new Animal[] { new Animal(), new Dog(), new Puppy() };
                    t.Equal(1, zoo[0].Legs(), "base"); t.Equal(4, zoo[1].Legs(), "override"); t.Equal(40, zoo[2].Legs(), "override of override");
                    t.Equal(2, zoo[2].BaseOnly(), "non-virtual base method");
                    break;
                }
                case 2:
                {
                    IShape[] shapes = new IShape[] { new Square(3), new Tri(), new Circle(), new Pent() };
                    long sum = 0;
                    for (int i = 0; i < shapes.Length; i++) sum = sum * 100 + Area(shapes[i]);
                    t.Equal(9030705, sum, "each implementation reached through the interface");
                    break;
                }
                case 3:
                    t.Equal(2, Twice(new G1()), "default body"); t.Equal(222, Twice(new G2()), "override of default");
                    t.Equal(6, Twice(new G3()), "default body, third type"); t.Equal(8, Twice(new G4()), "fourth type");
                    break;
                case 4: { Pair<int> p = new Pair<int>(3, 4); t.Equal(7, p.A + p.B, "generic fields"); Box<long> b = new Box<long>(); b.Value = 1L << 40; t.Equal(1L << 40, b.Value, "generic over long"); break; }
                case 5: { Box<string> b = new Box<string>(); b.Value = "hi"; t.Equal("hi", b.Value, "generic over string"); Box<Counter> c = new Box<Counter>(); c.Value = new Counter(); c.Value.Add(2); t.Equal(2, c.Value.Total, "generic over class"); break; }
                case 6: t.Equal(9, Max<int>(4, 9, new IntCmp()), "generic method"); t.Equal("b", Max<string>("a", "b", new StrCmp()), "generic method over refs"); break;
                case 7: { Vec v = new Vec(1, 2); Vec w = v; w.X = 10; t.Equal(1, v.X, "copy semantics"); t.Equal(12, w.X + w.Y, "copy holds values"); break; }
                case 8: { int[] a = new int[] { 1, 2, 3, 4 }; int s = 0; foreach (int x in a) s += x; t.Equal(10, s, "foreach sum"); t.Equal(4, a.Length, "length"); break; }
                case 9: { object[] a = new string[2]; a[0] = "ok"; t.Equal("ok", (string)a[0], "covariant store of the right type"); Animal[] z = new Dog[1]; z[0] = new Puppy(); t.Equal(40, z[0].Legs(), "store of a derived type"); break; }
                case 10:
                {
                    string s = "n=" + 42 + " neg=" + (-7) + " big=" + 18446744073709551615UL + " " + "x";
                    t.Equal("n=42 neg=-7 big=18446744073709551615 x", s, "concatenation with integers");
                    break;
                }
                case 11:
                {
                    string s = "scheduler";
                    t.True(s == "sched" + "uler", "equality by value"); t.False(s == "Scheduler", "case matters");
                    t.Equal("edu", s.Substring(3, 3), "substring"); t.Equal('r', s[s.Length - 1], "indexer");
                    t.Equal("abc", new string(new char[] { 'a', 'b', 'c' }, 0, 3), "from chars");
                    break;
                }
                case 12: t.Equal("-9223372036854775808", long.MinValue.ToString(), "long.MinValue"); t.Equal("0", 0.ToString(), "zero"); t.Equal("4294967295", uint.MaxValue.ToString(), "uint.MaxValue"); break;
                case 13: { int a = Lazy.Value; int b = Lazy.Value; t.Equal(1, Lazy.Runs, "cctor ran once"); t.Equal(a, b, "same value"); t.Equal(77, a, "value set by cctor"); break; }
                case 14: { Holder.Item = new Counter(); Holder.Item.Add(3); t.Equal(3, Holder.Item.Total, "reference static"); t.Equal("static", Holder.Text, "string static"); break; }
                case 15: t.Equal(5, Table.Primes.Length, "length"); t.Equal(11, Table.Primes[4], "element"); break;
                case 16:
                {
                    object o = new Puppy();
                    t.True(o is Animal, "is base"); t.True(o is Dog, "is middle"); t.True((o as Tri) == null, "as unrelated is null");
                    t.True(o is object, "is object"); object sq = new Square(1); t.True(sq is IShape, "is interface"); t.False(o is IShape, "not interface");
                    break;
                }
                case 17: { object o = 1234; int v = (int)o; t.Equal(1234, v, "unbox"); object l = 5L; t.True(l is long, "boxed type"); break; }
                case 18:
                {
                    long a = 0x123456789AB; long q = a / 1000; long r = a % 1000;
                    t.Equal(a, q * 1000 + r, "64-bit div/mod");
                    ulong u = ulong.MaxValue; t.EqualHex(0x0FFFFFFFFFFFFFFF, u >> 4, "unsigned shift");
                    t.Equal(-2, -8 >> 2, "arithmetic shift");
                    break;
                }
                case 19: { delegate*<int, int> f = &Square.Twice; t.Equal(42, f(21), "managed function pointer"); break; }
                case 20: t.Equal(3, Classify(Kind.C), "enum switch"); t.Equal(0, Classify((Kind)99), "default branch"); break;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)] private static int Area(IShape s) { return s.Area(); }
        [MethodImpl(MethodImplOptions.NoInlining)] private static int Twice(IGreet g) { return g.Twice(); }
        private static T Max<T>(T a, T b, IComparer2<T> c) { return c.Compare(a, b) >= 0 ? a : b; }
        private enum Kind { A = 1, B = 2, C = 3 }
        private static int Classify(Kind k) { switch (k) { case Kind.A: return 1; case Kind.B: return 2; case Kind.C: return 3; default: return 0; } }

        private sealed class Counter { internal long Total; internal void Add(long v) { Total += v; } }
        private class Animal { internal virtual int Legs() { return 1; } internal int BaseOnly() { return 2; } }
        private class Dog : Animal { internal override int Legs() { return 4; } }
        private class Puppy : Dog { internal override int Legs() { return 40; } }
        private interface IShape { int Area(); }
        private class Square : IShape { private int s; public Square(int s) { this.s = s; } public int Area() { return s * s; } internal static int Twice(int x) { return x * 2; } }
        private class Tri : IShape { public int Area() { return 3; } }
        private class Circle : IShape { public int Area() { return 7; } }
        private class Pent : IShape { public int Area() { return 5; } }
        private interface IGreet { int Id(); int Twice() { return Id() * 2; } }
        private class G1 : IGreet { public int Id() { return 1; } }
        private class G2 : IGreet { public int Id() { return 2; } public int Twice() { return 222; } }
        private class G3 : IGreet { public int Id() { return 3; } }
        private class G4 : IGreet { public int Id() { return 4; } }
        private struct Pair<T> { internal T A, B; internal Pair(T a, T b) { A = a; B = b; } }
        private sealed class Box<T> { internal T Value; }
        private interface IComparer2<T> { int Compare(T a, T b); }
        private sealed class IntCmp : IComparer2<int> { public int Compare(int a, int b) { return a - b; } }
        private sealed class StrCmp : IComparer2<string> { public int Compare(string a, string b) { return a[0] - b[0]; } }
        private struct Vec { internal int X, Y; internal Vec(int x, int y) { X = x; Y = y; } }
        private static class Lazy { internal static int Runs; internal static readonly int Value; static Lazy() { Runs++; Value = Compute(); } [MethodImpl(MethodImplOptions.NoInlining)] static int Compute() { return 77; } }
        private static class Holder { internal static Counter Item; internal static string Text = "static"; }
        private static class Table { internal static readonly int[] Primes = new int[] { 2, 3, 5, 7, 11 }; }
    }
}
