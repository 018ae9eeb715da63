namespace System
{
    // Layout fixed by the compiler: element count (with padding), then elements.
    public abstract class Array
    {
#pragma warning disable 649, 169
        private int _numComponents;
        private int _padding;
#pragma warning restore 649, 169
        public int Length { get { return _numComponents; } }
    }

    // The compiler models T[] as deriving from Array<T>.
    public class Array<T> : Array { }
}
