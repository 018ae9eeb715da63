namespace System
{
    // Every object starts with a pointer to its MethodTable; the 8 bytes before
    // the object are the (unused) object header, part of the previous block.
    public class Object
    {
#pragma warning disable 169
        internal unsafe Internal.Runtime.MethodTable* m_pMethodTable;
#pragma warning restore 169

        public Object() { }
        ~Object() { }

        public virtual bool Equals(object o) { return this == o; }
        public virtual int GetHashCode() { return 0; }
        public virtual string ToString() { return "object"; }

        internal unsafe Internal.Runtime.MethodTable* GetMethodTable() { return m_pMethodTable; }
    }

    public abstract class ValueType { }
    public abstract class Enum : ValueType { }

    public abstract class Delegate { }
    public abstract class MulticastDelegate : Delegate { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;
        public bool HasValue { get { return hasValue; } }
        public T Value { get { return value; } }
    }

    public struct RuntimeTypeHandle { private IntPtr m_value; }
    public struct RuntimeMethodHandle { private IntPtr m_value; }
    public struct RuntimeFieldHandle { private IntPtr m_value; }

    public abstract class Type { }
    internal sealed class RuntimeType : Type { }

    public interface IDisposable { void Dispose(); }

    public static class Activator
    {
        public static T CreateInstance<T>() { return default(T); }
    }
}

namespace System.Collections
{
    public interface IEnumerable { IEnumerator GetEnumerator(); }
    public interface IEnumerator { bool MoveNext(); object Current { get; } void Reset(); }
}
