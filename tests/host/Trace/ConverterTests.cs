using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using NUnit.Framework;
using Osprey.TraceTool;

namespace Osprey.Tests.Trace
{
    /// <summary>
    /// The pictures, read back: the SVG parsed as XML (a row per thread, a
    /// slice rectangle per execution slice, misses where the trace has them)
    /// and the JSON parsed with System.Text.Json (the events Perfetto shows).
    /// On simulator traces and on the recorded kernel logs in data/.
    /// </summary>
    [TestFixture]
    public class ConverterTests
    {
        static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

        public static IEnumerable<TestCaseData> Traces()
        {
            yield return new TestCaseData("sim:fp-rta-miss.wl").SetName("Sim_FpRtaMiss");
            yield return new TestCaseData("sim:cbs.wl").SetName("Sim_Cbs");
            yield return new TestCaseData("sim:overload.wl").SetName("Sim_Overload");
            yield return new TestCaseData("log:edf-u095-100ms.log").SetName("Kernel_EdfU095");
            yield return new TestCaseData("log:fp-rta-miss.log").SetName("Kernel_FpRtaMiss");
        }

        static TraceFile Load(string what)
        {
            string text;
            if (what.StartsWith("sim:")) TraceData.Simulate(what.Substring(4), out text, 300 * 1000000L);
            else
            {
                text = TraceFile.Extract(File.ReadAllText(TraceData.Fixture(what.Substring(4))), out int dumps);
                Assert.That(dumps, Is.EqualTo(1));
            }
            TraceFile f = TraceFile.Parse(text);
            Assert.That(f.Warnings, Is.Empty);
            return f;
        }

        static string Class(XElement e) => (string)e.Attribute("class") ?? "";

        [TestCaseSource(nameof(Traces))]
        public void SvgHasARowPerThreadASlicePerExecutionAndTheMisses(string what)
        {
            TraceFile f = Load(what);
            Timeline t = Timeline.Build(f);
            Assert.That(t.SliceCount, Is.EqualTo(TraceData.ExpectedSlices(f)), "slices found by the timeline");
            XDocument doc = XDocument.Parse(SvgTimeline.Render(t));
            Assert.That(doc.Root.Name, Is.EqualTo(Svg + "svg"));

            var rows = doc.Descendants(Svg + "g").Where(g => Class(g) == "row").ToList();
            var threads = TraceData.Threads(f);
            Assert.That(rows.Count, Is.EqualTo(threads.Count), "one row per thread");
            foreach (var g in rows)
            {
                int cpu = (int)g.Attribute("data-cpu"), id = (int)g.Attribute("data-thread");
                Assert.That(threads.Contains((cpu, id)), Is.True);
                Assert.That((string)g.Attribute("data-name"), Is.EqualTo(f.NameOf(cpu, id)));
                var evs = f.Events.Where(e => e.Cpu == cpu && e.Thread == id).ToList();
                // Misses flagged in this thread's row, one per deadline_miss, at its deadline.
                var misses = g.Elements(Svg + "path").Where(p => Class(p) == "miss").ToList();
                var missEvents = evs.Where(e => e.Kind == "deadline_miss").ToList();
                Assert.That(misses.Count, Is.EqualTo(missEvents.Count), f.NameOf(cpu, id) + ": misses");
                foreach (var m in missEvents)
                    Assert.That(misses.Any(p => p.Element(Svg + "title").Value.Contains("job " + m.Long("job", -1) + " MISSED")), Is.True);
                Assert.That(g.Elements(Svg + "path").Count(p => Class(p) == "release"), Is.EqualTo(evs.Count(e => e.Kind == "release")), "releases");
                Assert.That(g.Elements(Svg + "path").Count(p => Class(p) == "overrun"), Is.EqualTo(evs.Count(e => e.Kind == "budget_exhausted")), "overruns");
            }
            var slices = doc.Descendants(Svg + "rect").Where(r => Class(r) == "slice").ToList();
            Assert.That(slices.Count, Is.EqualTo(TraceData.ExpectedSlices(f)), "a rectangle per execution slice");
            double width = (double)doc.Root.Attribute("width");
            foreach (var r in slices)
            {
                double x = (double)r.Attribute("x"), w = (double)r.Attribute("width");
                Assert.That(x, Is.GreaterThanOrEqualTo(0));
                Assert.That(x + w, Is.LessThanOrEqualTo(width));
            }
            int irqs = f.Events.Count(e => e.Kind == "irq_exit");
            Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "irq"), Is.EqualTo(irqs), "an interrupt rectangle per handler run");
            Assert.That(doc.Descendants(Svg + "text").Any(x => x.Value == "ms"), Is.True, "time axis in ms");
            Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "legend-swatch"), Is.EqualTo(threads.Count), "legend");
        }

        [TestCaseSource(nameof(Traces))]
        public void JsonHasTheEventsPerfettoShows(string what)
        {
            TraceFile f = Load(what);
            Timeline t = Timeline.Build(f);
            using JsonDocument doc = JsonDocument.Parse(ChromeTrace.Render(t));
            var evs = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            string Ph(JsonElement e) => e.GetProperty("ph").GetString();
            string Name(JsonElement e) => e.GetProperty("name").GetString();
            var exec = evs.Where(e => Ph(e) == "X" && e.GetProperty("cat").GetString() == "exec").ToList();
            Assert.That(exec.Count, Is.EqualTo(TraceData.ExpectedSlices(f)), "a complete event per slice");
            foreach (var e in exec)
            {
                Assert.That(e.GetProperty("dur").GetDouble(), Is.GreaterThanOrEqualTo(0));
                Assert.That(e.GetProperty("ts").GetDouble(), Is.GreaterThanOrEqualTo(0));
            }
            var names = evs.Where(e => Ph(e) == "M" && Name(e) == "thread_name" && e.GetProperty("tid").GetInt32() < ChromeTrace.IrqTidBase)
                           .Select(e => (e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32(), e.GetProperty("args").GetProperty("name").GetString())).ToList();
            Assert.That(names, Is.EquivalentTo(TraceData.Threads(f).Select(k => (k.Item1, k.Item2, f.NameOf(k.Item1, k.Item2)))));
            Assert.That(evs.Count(e => Ph(e) == "i" && Name(e) == "release"), Is.EqualTo(TraceData.Count(f, "release")));
            Assert.That(evs.Count(e => Ph(e) == "i" && Name(e) == "deadline_miss"), Is.EqualTo(TraceData.Count(f, "deadline_miss")));
            Assert.That(evs.Count(e => Ph(e) == "i" && Name(e) == "complete"), Is.EqualTo(TraceData.Count(f, "complete")));
            Assert.That(evs.Count(e => Ph(e) == "X" && e.GetProperty("cat").GetString() == "irq"), Is.EqualTo(TraceData.Count(f, "irq_exit")));
            // CPU time per thread agrees with the slices (microseconds).
            foreach (Row r in t.Rows)
            {
                double us = exec.Where(e => e.GetProperty("pid").GetInt32() == r.Cpu && e.GetProperty("tid").GetInt32() == r.Thread).Sum(e => e.GetProperty("dur").GetDouble());
                Assert.That(us, Is.EqualTo(r.CpuTime / 1000.0).Within(0.01));
            }
        }

        [Test]
        public void WindowKeepsOnlyWhatItCovers()
        {
            TraceFile f = Load("sim:fp-rta-miss.wl");
            Timeline t = Timeline.Build(f);
            var doc = XDocument.Parse(SvgTimeline.Render(t, new SvgOptions { From = 0, To = 20 * 1000000L }));
            int inWindow = t.Rows.Sum(r => r.Slices.Count(s => s.Start - t.T0 <= 20 * 1000000L));
            Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "slice"), Is.EqualTo(inWindow));
            Assert.That(inWindow, Is.LessThan(t.SliceCount));
        }

        [Test]
        public void OpenSlicesAtTheEdgesAreClipped()
        {
            TraceFile f = TraceFile.Parse("# osprey-trace 2\nthread 0 1 a\nthread 0 2 b\n100 0 switch_out 1 state=ready\n100 0 switch_in 2\n250 0 mark - id=0 value=0\n# end\n");
            Timeline t = Timeline.Build(f);
            Slice a = t.Find(0, 1).Slices.Single(), b = t.Find(0, 2).Slices.Single();
            Assert.That((a.OpenStart, a.Start, a.End, a.OpenEnd), Is.EqualTo((true, 100L, 100L, false)), "ran before the trace began");
            Assert.That((b.OpenStart, b.Start, b.End, b.OpenEnd), Is.EqualTo((false, 100L, 250L, true)), "still running at the end");
        }

        [Test]
        public void TickStepsAreRound()
        {
            Assert.That(SvgTimeline.TickStep(2_000_000_000, 12), Is.EqualTo(200_000_000));
            Assert.That(SvgTimeline.TickStep(100_000_000, 12), Is.EqualTo(10_000_000));
            Assert.That(SvgTimeline.TickStep(35_000, 12), Is.EqualTo(5_000));
        }

        // ------------------------------------------------------------ the command line

        [Test]
        public void CommandLineWritesBothPicturesOrTheRawTrace()
        {
            string dir = Path.Combine(Path.GetTempPath(), "osprey-tracetool-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string log = TraceData.Fixture("fp-rta-miss.log");
                var o = new StringWriter(); var e = new StringWriter();
                Assert.That(TraceToolApp.Run(new[] { log, Path.Combine(dir, "p.svg") }, o, e), Is.EqualTo(0), e.ToString());
                Assert.That(File.Exists(Path.Combine(dir, "p.svg")) && File.Exists(Path.Combine(dir, "p.json")), Is.True);
                Assert.That(o.ToString(), Does.Contain("3 threads").And.Contain("10 deadline misses"));
                Assert.That(TraceToolApp.Run(new[] { log, Path.Combine(dir, "q.json"), "--from", "10", "--to", "30" }, o, e), Is.EqualTo(0));
                Assert.That(File.Exists(Path.Combine(dir, "q.svg")), Is.True);
                Assert.That(TraceToolApp.Run(new[] { log, Path.Combine(dir, "raw.trace") }, o, e), Is.EqualTo(0));
                string raw = File.ReadAllText(Path.Combine(dir, "raw.trace"));
                Assert.That(raw, Does.StartWith("# osprey-trace 2\n").And.EndWith("# end\n").And.Not.Contain("\r"));
                // The raw trace converts like the log it came from.
                Assert.That(TraceToolApp.Run(new[] { Path.Combine(dir, "raw.trace"), Path.Combine(dir, "r.svg") }, o, e), Is.EqualTo(0));
                Assert.That(File.ReadAllText(Path.Combine(dir, "r.svg")), Is.EqualTo(File.ReadAllText(Path.Combine(dir, "p.svg"))));

                File.WriteAllText(Path.Combine(dir, "none.log"), "osprey: booting\nosprey: idle\n");
                e = new StringWriter();
                Assert.That(TraceToolApp.Run(new[] { Path.Combine(dir, "none.log"), Path.Combine(dir, "n.svg") }, o, e), Is.EqualTo(1));
                Assert.That(e.ToString(), Does.Contain("boot with 'trace'"));
                Assert.That(TraceToolApp.Run(new[] { log }, o, new StringWriter()), Is.EqualTo(2));
                Assert.That(TraceToolApp.Run(new[] { log, "x.svg", "--from", "-1" }, o, new StringWriter()), Is.EqualTo(2));
                Assert.That(TraceToolApp.Run(new[] { log, "x.svg", "--bogus" }, o, new StringWriter()), Is.EqualTo(2));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
