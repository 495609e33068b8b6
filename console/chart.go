package console

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/opencube/opencube"
)

// Bar is one bar of a chart: its label (a day, a month) and its value in
// bytes.
type Bar struct {
	Label string
	Bytes int64
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 620
	chartHeight = 200
	chartLeft   = 56 // room for the axis labels
	chartBottom = 30
)

// UsageChart draws bars as an SVG bar chart, server-side: no script, so
// it shows under the strictest content policy. Each bar has a title with
// its figure (a tooltip, and what a screen reader reads); the page shows
// the same figures in a table too.
func UsageChart(l *Lang, title string, bars []Bar) template.HTML {
	var peak int64
	for _, b := range bars {
		peak = max(peak, b.Bytes)
	}
	scale := niceScale(peak)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s" class="usage-chart">`,
		chartWidth, chartHeight, template.HTMLEscapeString(title))
	plotH := float64(chartHeight - chartBottom - 10)
	// Axis and three gridlines with their volumes.
	for i := 0; i <= 2; i++ {
		v := scale * int64(i) / 2
		y := 10 + plotH - plotH*float64(i)/2
		fmt.Fprintf(&sb, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y, chartWidth, y)
		fmt.Fprintf(&sb, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-4, y+3, template.HTMLEscapeString(formatVolume(v)))
	}
	if n := len(bars); n > 0 {
		slot := float64(chartWidth-chartLeft) / float64(n)
		for i, b := range bars {
			h := 0.0
			if scale > 0 {
				h = plotH * float64(b.Bytes) / float64(scale)
			}
			x := float64(chartLeft) + slot*float64(i) + slot*0.15
			fmt.Fprintf(&sb, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-bytes="%d"><title>%s: %s</title></rect>`,
				x, 10+plotH-h, slot*0.7, h, b.Bytes, template.HTMLEscapeString(b.Label), template.HTMLEscapeString(formatVolume(b.Bytes)))
			if n <= 12 || i%5 == 0 || i == n-1 {
				fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+slot*0.35, chartHeight-12, template.HTMLEscapeString(shortLabel(b.Label)))
			}
		}
	}
	if peak == 0 {
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, (chartWidth+chartLeft)/2, chartHeight/2, template.HTMLEscapeString(l.T("chart.nodata")))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// shortLabel is a day's "MM-DD" or a month's label.
func shortLabel(label string) string {
	if len(label) == len("2006-01-02") {
		return label[5:]
	}
	return label
}

// niceScale is the top of the axis: a round volume at or above peak.
func niceScale(peak int64) int64 {
	if peak <= 0 {
		return opencube.MB
	}
	step := int64(opencube.MB) / 16
	for step*10 < peak {
		step *= 2
	}
	top := step
	for top < peak {
		top += step
	}
	return top
}
