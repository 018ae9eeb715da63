using Osprey.Kernel.Boot;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Console
{
    // The framebuffer console the boot loader's framebuffer gives us (UEFI
    // PCs without a serial port show the log here). Drawing is done by
    // FramebufferText; this maps the framebuffer and owns the instance.
    internal static unsafe class Screen
    {
        private static FramebufferText text;

        internal static bool Ready { get { return text != null; } }
        internal static FramebufferText Text { get { return text; } }

        // Returns null on success, else why the screen cannot be used.
        internal static string Initialize(FramebufferInfo fb)
        {
            if (fb == null) return "the boot loader gave no framebuffer";
            if (fb.Type == 2) return "the boot loader left the display in EGA text mode";
            ulong bytes = (ulong)fb.Pitch * fb.Height;
            if (fb.Address == 0 || bytes == 0) return "framebuffer with no address or size";
            Machine.MapDevice(fb.Address, bytes);
            FramebufferText t = new FramebufferText((byte*)fb.Address, fb.Width, fb.Height, fb.Pitch, fb.BitsPerPixel,
                fb.Type, fb.RedPosition, fb.RedSize, fb.GreenPosition, fb.GreenSize, fb.BluePosition, fb.BlueSize);
            if (!t.IsUsable) return FramebufferText.StatusText(t.Status);
            t.Clear();
            text = t;
            return null;
        }

        internal static void Write(string s) { if (text != null) text.Write(s); }
        internal static void PutChar(char c) { if (text != null) text.PutChar(c); }
        internal static void SetErrorColour(bool on)
        {
            if (text == null) return;
            if (on) text.SetForeground(TextColor.Error); else text.ResetColors();
        }
    }
}
