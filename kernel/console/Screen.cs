namespace Osprey.Kernel.Console
{
    internal static class Screen
    {
        internal static void Write(string s) { }
        internal static void PutChar(char c) { }
    }
}
