// The primitive value types the compiler knows by name. Each wraps a field of
// its own type, as the ECMA-335 core library does; arithmetic is done by the
// compiler, not by methods here.
namespace System
{
    public struct Void { }
    public struct Boolean { private bool m_value; }
    public struct Char { private char m_value; }
    public struct SByte { private sbyte m_value; }
    public struct Byte { private byte m_value; public override string ToString() { return Number.UInt64ToDecimal(m_value); } }
    public struct Int16 { private short m_value; public override string ToString() { return Number.Int64ToDecimal(m_value); } }
    public struct UInt16 { private ushort m_value; public override string ToString() { return Number.UInt64ToDecimal(m_value); } }
    public struct Int32
    {
        private int m_value;
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
        public override string ToString() { return Number.Int64ToDecimal(m_value); }
    }
    public struct UInt32
    {
        private uint m_value;
        public const uint MaxValue = 0xffffffff;
        public const uint MinValue = 0;
        public override string ToString() { return Number.UInt64ToDecimal(m_value); }
    }
    public struct Int64
    {
        private long m_value;
        public const long MaxValue = 0x7fffffffffffffff;
        public const long MinValue = unchecked((long)0x8000000000000000);
        public override string ToString() { return Number.Int64ToDecimal(m_value); }
    }
    public struct UInt64
    {
        private ulong m_value;
        public const ulong MaxValue = 0xffffffffffffffff;
        public const ulong MinValue = 0;
        public override string ToString() { return Number.UInt64ToDecimal(m_value); }
    }
    public struct Single { private float m_value; }
    public struct Double { private double m_value; }
    public unsafe struct IntPtr
    {
        private void* m_value;
        public IntPtr(void* value) { m_value = value; }
        public IntPtr(long value) { m_value = (void*)value; }
        public static readonly IntPtr Zero;
        public void* ToPointer() { return m_value; }
        public long ToInt64() { return (long)m_value; }
        public static explicit operator IntPtr(long value) { return new IntPtr(value); }
        public static explicit operator IntPtr(void* value) { return new IntPtr(value); }
        public static explicit operator void*(IntPtr value) { return value.m_value; }
        public static explicit operator long(IntPtr value) { return (long)value.m_value; }
    }
    public unsafe struct UIntPtr
    {
        private void* m_value;
        public UIntPtr(void* value) { m_value = value; }
        public UIntPtr(ulong value) { m_value = (void*)value; }
        public void* ToPointer() { return m_value; }
        public static explicit operator UIntPtr(void* value) { return new UIntPtr(value); }
        public static explicit operator void*(UIntPtr value) { return value.m_value; }
    }
    public struct TypedReference { }
    public struct ArgIterator { }
    public struct RuntimeArgumentHandle { }
}
