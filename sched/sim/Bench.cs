using System.IO;
namespace Osprey.Sched.Sim
{
    public static class Bench
    {
        public static int Run(TextWriter o, bool quick) { o.WriteLine("bench: not yet"); return 0; }
    }
}
