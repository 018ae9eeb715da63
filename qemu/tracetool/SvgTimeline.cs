// The SVG timeline: a row per thread (CPU, id) with its execution slices in
// the thread's colour, job releases (triangles above the slices) and their
// deadlines (ticks below), deadline misses (red crosses at the deadline),
// CBS budget overruns (diamonds); a row of interrupt intervals per CPU; a
// time axis in milliseconds from the first event; a legend. Elements carry
// classes (row, slice, release, deadline, miss, overrun, irq) so tests and
// scripts can read the picture back.
using System.Globalization;
using System.Text;

namespace Osprey.TraceTool;

public sealed class SvgOptions
{
    /// <summary>Window in ns from the first event (null: the whole trace).</summary>
    public long? From, To;
    public string? Title;
    public int PlotWidth = 1200;
}

public static class SvgTimeline
{
    const int Left = 160, Right = 40, Top = 52, RowH = 30, SliceY = 8, SliceH = 14, IrqH = 16;

    static readonly string[] Palette =
    {
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
        "#ff9da7", "#9c755f", "#bab0ac", "#8cd17d", "#86bcb6", "#d4a6c8",
    };

    /// <summary>Colour of row i: a fixed palette, then hues at the golden angle.</summary>
    public static string ColorOf(int i)
    {
        if (i < Palette.Length) return Palette[i];
        double h = (i * 137.508) % 360.0;
        return "hsl(" + F(h) + ",55%,55%)";
    }

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    static string Esc(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default: sb.Append(c < ' ' ? '?' : c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Milliseconds with enough decimals for ns.</summary>
    public static string Ms(long ns) => (ns / 1e6).ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>A tick step in ns (1, 2 or 5 x 10^k) giving about `target` ticks over span.</summary>
    public static long TickStep(long span, int target)
    {
        if (span <= 0) return 1;
        double raw = (double)span / target;
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (m * p >= raw) return Math.Max(1, (long)(m * p));
        return Math.Max(1, (long)(10 * p));
    }

    public static string Render(Timeline t, SvgOptions? o = null)
    {
        o ??= new SvgOptions();
        long w0 = t.T0 + (o.From ?? 0);
        long w1 = o.To.HasValue ? t.T0 + o.To.Value : t.T1;
        if (w1 <= w0) w1 = w0 + 1;
        double scale = o.PlotWidth / (double)(w1 - w0);
        double X(long time) => Left + (time - w0) * scale;
        bool Inside(long time) => time >= w0 && time <= w1;

        int irqRows = t.Irqs.Count;
        int rowsBottom = Top + t.Rows.Count * RowH + irqRows * (IrqH + 6);
        int axisY = rowsBottom + 4;
        int legendY = axisY + 40;
        int legendRows = (t.Rows.Count + 5) / 6 + 1;
        int width = Left + o.PlotWidth + Right;
        int height = legendY + legendRows * 20 + 16;

        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<style>.row-label{font-size:12px}.axis text{font-size:11px;fill:#444}.slice{stroke:#222;stroke-width:0.3}"
                + ".release{fill:#222}.deadline{stroke:#222;stroke-width:1.2;fill:none}.miss{stroke:#d00;stroke-width:2.2;fill:none}"
                + ".overrun{fill:#e15759;stroke:#600;stroke-width:0.5}.irq{fill:#e15759}.grid{stroke:#ddd;stroke-width:0.6}</style>\n");
        string title = o.Title ?? ("Osprey scheduling trace" + (t.Source != null ? ": " + t.Source : ""));
        sb.Append($"<text x=\"{Left}\" y=\"20\" font-size=\"15\" font-weight=\"bold\">{Esc(title)}</text>\n");
        sb.Append($"<text x=\"{Left}\" y=\"38\" fill=\"#444\">{N(t.EventCount)} events, {t.Rows.Count} threads, {t.SliceCount} execution slices, "
                + $"{t.MissCount} deadline misses, {N(t.Dropped)} dropped; time in ms from the first event (t0 = {N(t.T0)} ns)</text>\n");

        // Grid and axis.
        long step = TickStep(w1 - w0, 12);
        long firstTick = w0 + ((step - (w0 - t.T0) % step) % step);
        sb.Append("<g class=\"axis\">\n");
        sb.Append($"<line x1=\"{Left}\" y1=\"{axisY}\" x2=\"{F(Left + o.PlotWidth)}\" y2=\"{axisY}\" stroke=\"#444\"/>\n");
        for (long tick = firstTick; tick <= w1; tick += step)
        {
            string x = F(X(tick));
            sb.Append($"<line class=\"grid\" x1=\"{x}\" y1=\"{Top - 4}\" x2=\"{x}\" y2=\"{axisY}\"/>");
            sb.Append($"<line x1=\"{x}\" y1=\"{axisY}\" x2=\"{x}\" y2=\"{axisY + 5}\" stroke=\"#444\"/>");
            sb.Append($"<text x=\"{x}\" y=\"{axisY + 18}\" text-anchor=\"middle\">{Ms(tick - t.T0)}</text>\n");
        }
        sb.Append($"<text x=\"{F(Left + o.PlotWidth)}\" y=\"{axisY + 32}\" text-anchor=\"end\">ms</text>\n");
        sb.Append("</g>\n");

        // Thread rows.
        foreach (Row r in t.Rows)
        {
            int y = Top + r.Index * RowH;
            string color = ColorOf(r.Index);
            sb.Append($"<g class=\"row\" data-cpu=\"{r.Cpu}\" data-thread=\"{r.Thread}\" data-name=\"{Esc(r.Name)}\">\n");
            sb.Append($"<rect class=\"row-bg\" x=\"{Left}\" y=\"{y + 2}\" width=\"{o.PlotWidth}\" height=\"{RowH - 4}\" fill=\"{(r.Index % 2 == 0 ? "#f7f7f7" : "#ffffff")}\"/>\n");
            sb.Append($"<text class=\"row-label\" x=\"{Left - 8}\" y=\"{y + SliceY + SliceH - 3}\" text-anchor=\"end\">{Esc(r.Name)}{(t.Irqs.Count > 1 || t.Rows.Any(x => x.Cpu != 0) ? " (cpu " + r.Cpu + ")" : "")}</text>\n");
            foreach (Slice s in r.Slices)
            {
                if (s.End < w0 || s.Start > w1) continue;
                double x0 = X(Math.Max(s.Start, w0)), x1 = X(Math.Min(s.End, w1));
                double wpx = Math.Max(0.5, x1 - x0);
                sb.Append($"<rect class=\"slice\" x=\"{F(x0)}\" y=\"{y + SliceY}\" width=\"{F(wpx)}\" height=\"{SliceH}\" fill=\"{color}\">"
                        + $"<title>{Esc(r.Name)}: {Ms(s.Start - t.T0)} .. {Ms(s.End - t.T0)} ms ({Ms(s.End - s.Start)} ms){(s.OpenStart ? ", running before the trace began" : "")}{(s.OpenEnd ? ", still running at the end" : "")}</title></rect>\n");
            }
            foreach (Mark m in r.Releases)
            {
                if (Inside(m.Time))
                {
                    double x = X(m.Time);
                    sb.Append($"<path class=\"release\" d=\"M{F(x - 4)},{y + 1} L{F(x + 4)},{y + 1} L{F(x)},{y + SliceY} Z\">"
                            + $"<title>{Esc(r.Name)} job {N(m.Job)} released at {Ms(m.Time - t.T0)} ms{(m.Deadline != long.MaxValue ? ", deadline " + Ms(m.Deadline - t.T0) + " ms" : "")}</title></path>\n");
                }
                if (m.Deadline != long.MaxValue && Inside(m.Deadline))
                {
                    double x = X(m.Deadline);
                    int yb = y + SliceY + SliceH;
                    sb.Append($"<path class=\"deadline\" d=\"M{F(x)},{yb - 3} L{F(x)},{yb + 5} M{F(x - 3)},{yb + 2} L{F(x)},{yb + 5} L{F(x + 3)},{yb + 2}\">"
                            + $"<title>{Esc(r.Name)} job {N(m.Job)} deadline {Ms(m.Deadline - t.T0)} ms</title></path>\n");
                }
            }
            foreach (Mark m in r.Misses)
            {
                long at = m.Deadline != long.MaxValue ? m.Deadline : m.Time;
                if (!Inside(at)) continue;
                double x = X(at);
                int yc = y + SliceY + SliceH / 2;
                sb.Append($"<path class=\"miss\" d=\"M{F(x - 5)},{yc - 5} L{F(x + 5)},{yc + 5} M{F(x - 5)},{yc + 5} L{F(x + 5)},{yc - 5}\">"
                        + $"<title>{Esc(r.Name)} job {N(m.Job)} MISSED its deadline {Ms(at - t.T0)} ms (seen at {Ms(m.Time - t.T0)} ms)</title></path>\n");
            }
            foreach (Mark m in r.Overruns)
            {
                if (!Inside(m.Time)) continue;
                double x = X(m.Time);
                int yc = y + SliceY + SliceH / 2;
                sb.Append($"<path class=\"overrun\" d=\"M{F(x)},{yc - 6} L{F(x + 4)},{yc} L{F(x)},{yc + 6} L{F(x - 4)},{yc} Z\">"
                        + $"<title>{Esc(r.Name)}: CBS budget ({Ms(m.Value)} ms) exhausted at {Ms(m.Time - t.T0)} ms</title></path>\n");
            }
            sb.Append("</g>\n");
        }

        // Interrupt rows.
        int k = 0;
        foreach (var kv in t.Irqs)
        {
            int y = Top + t.Rows.Count * RowH + k * (IrqH + 6) + 2;
            sb.Append($"<g class=\"irq-row\" data-cpu=\"{kv.Key}\">\n");
            sb.Append($"<text class=\"row-label\" x=\"{Left - 8}\" y=\"{y + IrqH - 4}\" text-anchor=\"end\">interrupts (cpu {kv.Key})</text>\n");
            sb.Append($"<rect class=\"row-bg\" x=\"{Left}\" y=\"{y}\" width=\"{o.PlotWidth}\" height=\"{IrqH}\" fill=\"#fbeeee\"/>\n");
            foreach (IrqSlice s in kv.Value)
            {
                if (s.End < w0 || s.Start > w1) continue;
                double x0 = X(Math.Max(s.Start, w0)), x1 = X(Math.Min(s.End, w1));
                sb.Append($"<rect class=\"irq\" x=\"{F(x0)}\" y=\"{y + 2}\" width=\"{F(Math.Max(0.5, x1 - x0))}\" height=\"{IrqH - 4}\">"
                        + $"<title>vector {s.Vector}: {Ms(s.Start - t.T0)} ms, {N(s.End - s.Start)} ns</title></rect>\n");
            }
            sb.Append("</g>\n");
            k++;
        }

        // Legend.
        sb.Append("<g class=\"legend\">\n");
        for (int i = 0; i < t.Rows.Count; i++)
        {
            int lx = Left + (i % 6) * 190, ly = legendY + (i / 6) * 20;
            sb.Append($"<rect class=\"legend-swatch\" x=\"{lx}\" y=\"{ly - 10}\" width=\"14\" height=\"12\" fill=\"{ColorOf(i)}\"/>");
            sb.Append($"<text x=\"{lx + 20}\" y=\"{ly}\">{Esc(t.Rows[i].Name)}</text>\n");
        }
        int sy = legendY + ((t.Rows.Count + 5) / 6) * 20;
        sb.Append($"<path d=\"M{Left - 4},{sy - 10} L{Left + 4},{sy - 10} L{Left},{sy - 3} Z\" fill=\"#222\"/><text x=\"{Left + 10}\" y=\"{sy}\">job release</text>");
        sb.Append($"<path d=\"M{Left + 110},{sy - 10} L{Left + 110},{sy} M{Left + 107},{sy - 3} L{Left + 110},{sy} L{Left + 113},{sy - 3}\" stroke=\"#222\" fill=\"none\"/><text x=\"{Left + 120}\" y=\"{sy}\">deadline</text>");
        sb.Append($"<path d=\"M{Left + 200},{sy - 9} L{Left + 208},{sy - 1} M{Left + 200},{sy - 1} L{Left + 208},{sy - 9}\" stroke=\"#d00\" stroke-width=\"2.2\"/><text x=\"{Left + 216}\" y=\"{sy}\">deadline missed</text>");
        sb.Append($"<path d=\"M{Left + 330},{sy - 11} L{Left + 334},{sy - 5} L{Left + 330},{sy + 1} L{Left + 326},{sy - 5} Z\" fill=\"#e15759\"/><text x=\"{Left + 340}\" y=\"{sy}\">CBS budget exhausted</text>");
        sb.Append($"<rect x=\"{Left + 490}\" y=\"{sy - 10}\" width=\"14\" height=\"10\" fill=\"#e15759\"/><text x=\"{Left + 510}\" y=\"{sy}\">interrupt handler</text>\n");
        sb.Append("</g>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
