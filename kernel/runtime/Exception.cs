namespace System
{
    // There is no unwinder: a throw is a kernel panic that prints the
    // exception's type and message (see RhpThrowEx in Internal/RuntimeExports.cs).
    public class Exception
    {
        private string _message;
        public Exception() { }
        public Exception(string message) { _message = message; }
        public virtual string Message { get { return _message == null ? "" : _message; } }
    }
    public class SystemException : Exception { public SystemException() { } public SystemException(string m) : base(m) { } }
    public class ArgumentException : SystemException { public ArgumentException() { } public ArgumentException(string m) : base(m) { } }
    public class ArgumentNullException : ArgumentException { public ArgumentNullException() { } public ArgumentNullException(string m) : base(m) { } }
    public class ArgumentOutOfRangeException : ArgumentException { public ArgumentOutOfRangeException() { } public ArgumentOutOfRangeException(string m) : base(m) { } }
    public class InvalidOperationException : SystemException { public InvalidOperationException() { } public InvalidOperationException(string m) : base(m) { } }
    public class NotSupportedException : SystemException { public NotSupportedException() { } public NotSupportedException(string m) : base(m) { } }
    public class NotImplementedException : SystemException { public NotImplementedException() { } public NotImplementedException(string m) : base(m) { } }
    public class IndexOutOfRangeException : SystemException { public IndexOutOfRangeException() { } public IndexOutOfRangeException(string m) : base(m) { } }
    public class NullReferenceException : SystemException { public NullReferenceException() { } public NullReferenceException(string m) : base(m) { } }
    public class DivideByZeroException : SystemException { public DivideByZeroException() { } public DivideByZeroException(string m) : base(m) { } }
    public class OverflowException : SystemException { public OverflowException() { } public OverflowException(string m) : base(m) { } }
    public class InvalidCastException : SystemException { public InvalidCastException() { } public InvalidCastException(string m) : base(m) { } }
    public class OutOfMemoryException : SystemException { public OutOfMemoryException() { } public OutOfMemoryException(string m) : base(m) { } }
    public class ArrayTypeMismatchException : SystemException { public ArrayTypeMismatchException() { } public ArrayTypeMismatchException(string m) : base(m) { } }
    public class PlatformNotSupportedException : NotSupportedException { public PlatformNotSupportedException() { } public PlatformNotSupportedException(string m) : base(m) { } }
}
