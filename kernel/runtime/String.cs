using System.Runtime.CompilerServices;

namespace System
{
    // Layout fixed by the compiler: length, then UTF-16 characters and a NUL.
    public sealed unsafe class String
    {
        private int _stringLength;
        private char _firstChar;

        public static readonly string Empty = "";

        public int Length { get { return _stringLength; } }

        [IndexerName("Chars")]
        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                fixed (char* p = &_firstChar) return p[index];
            }
        }

        // Allocates an uninitialised string of the given length (zeroed by the heap).
        internal static string FastAllocate(int length)
        {
            return Internal.Runtime.Allocator.NewString(length);
        }

        internal char* FirstCharPointer() { fixed (char* p = &_firstChar) return p; }

        public String(char[] value, int startIndex, int length) { }
        public String(char* value, int startIndex, int length) { }

        // The compiler turns `new string(...)` into a call to the matching Ctor.
        private static string Ctor(char[] value, int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex + length > value.Length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            string s = FastAllocate(length);
            char* d = s.FirstCharPointer();
            for (int i = 0; i < length; i++) d[i] = value[startIndex + i];
            return s;
        }

        private static string Ctor(char* value, int startIndex, int length)
        {
            string s = FastAllocate(length);
            char* d = s.FirstCharPointer();
            for (int i = 0; i < length; i++) d[i] = value[startIndex + i];
            return s;
        }

        public string Substring(int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex + length > _stringLength)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            string s = FastAllocate(length);
            char* d = s.FirstCharPointer();
            fixed (char* p = &_firstChar)
                for (int i = 0; i < length; i++) d[i] = p[startIndex + i];
            return s;
        }

        public string Substring(int startIndex) { return Substring(startIndex, _stringLength - startIndex); }

        // Ordinal (the kernel has no cultures); false for null.
        public bool StartsWith(string value)
        {
            if ((object)value == null || value._stringLength > _stringLength) return false;
            for (int i = 0; i < value._stringLength; i++)
                if (this[i] != value[i]) return false;
            return true;
        }

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if ((object)a == null || (object)b == null) return false;
            if (a._stringLength != b._stringLength) return false;
            fixed (char* pa = &a._firstChar)
            fixed (char* pb = &b._firstChar)
                for (int i = 0; i < a._stringLength; i++) if (pa[i] != pb[i]) return false;
            return true;
        }

        public static bool operator ==(string a, string b) { return Equals(a, b); }
        public static bool operator !=(string a, string b) { return !Equals(a, b); }
        public override bool Equals(object o) { return Equals(this, o as string); }
        public override int GetHashCode()
        {
            int h = 5381;
            fixed (char* p = &_firstChar) for (int i = 0; i < _stringLength; i++) h = h * 33 + p[i];
            return h;
        }
        public override string ToString() { return this; }

        public static string Concat(string a, string b) { return ConcatN(a, b, null, null, 2); }
        public static string Concat(string a, string b, string c) { return ConcatN(a, b, c, null, 3); }
        public static string Concat(string a, string b, string c, string d) { return ConcatN(a, b, c, d, 4); }
        public static string Concat(object a, object b) { return Concat(ObjStr(a), ObjStr(b)); }
        public static string Concat(object a, object b, object c) { return Concat(ObjStr(a), ObjStr(b), ObjStr(c)); }

        public static string Concat(params string[] parts)
        {
            int len = 0;
            for (int i = 0; i < parts.Length; i++) if ((object)parts[i] != null) len += parts[i]._stringLength;
            string s = FastAllocate(len);
            char* d = s.FirstCharPointer();
            for (int i = 0; i < parts.Length; i++) d = CopyTo(parts[i], d);
            return s;
        }

        private static string ObjStr(object o) { return o == null ? "" : o.ToString(); }

        private static string ConcatN(string a, string b, string c, string d, int n)
        {
            int len = Len(a) + Len(b) + Len(c) + Len(d);
            string s = FastAllocate(len);
            char* p = s.FirstCharPointer();
            p = CopyTo(a, p); p = CopyTo(b, p); p = CopyTo(c, p); CopyTo(d, p);
            return s;
        }

        private static int Len(string s) { return (object)s == null ? 0 : s._stringLength; }

        private static char* CopyTo(string s, char* d)
        {
            if ((object)s == null) return d;
            fixed (char* p = &s._firstChar) for (int i = 0; i < s._stringLength; i++) *d++ = p[i];
            return d;
        }
    }

    // Integer formatting used by ToString() and by the kernel's log.
    internal static unsafe class Number
    {
        internal static string UInt64ToDecimal(ulong v)
        {
            char* buf = stackalloc char[20];
            int i = 20;
            do { buf[--i] = (char)('0' + (int)(v % 10)); v /= 10; } while (v != 0);
            return new string(buf, i, 20 - i);
        }

        internal static string Int64ToDecimal(long v)
        {
            if (v >= 0) return UInt64ToDecimal((ulong)v);
            char* buf = stackalloc char[21];
            ulong u = (ulong)(-(v + 1)) + 1; // safe for long.MinValue
            int i = 21;
            do { buf[--i] = (char)('0' + (int)(u % 10)); u /= 10; } while (u != 0);
            buf[--i] = '-';
            return new string(buf, i, 21 - i);
        }
    }
}
