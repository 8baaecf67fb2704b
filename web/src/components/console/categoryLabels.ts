// Bar charts with their categories (unit names, activity types) written down the left side: a
// label may take 140–160 px, which on a phone is half of a 340 px chart, and on a desk nearly half
// of 统计's charts three to a row (about 300 px each at 1280 px). Wherever the chart is narrower than
// 600 px, on a phone, a tablet or a desk alike, the labels take at most a third of the chart's own
// width (ECharts media queries on the chart's width, not the window's: a chart three to a row on a
// desk is as narrow as one on a phone) and wrap onto two lines instead of losing all but their
// first characters; a name longer than two lines ends in "…". A chart 600 px wide or more keeps the
// full label width. The axis tooltip still names the category in full.
// tests/e2e/console-phone.test.ts and console-tablet.test.ts measure the share on the drawn chart
// (390, 768–1024 px, and 1280 px on a desk).

/** The chart widths at which the labels narrow: every 20 px from 600 down to 200. */
const STEPS = Array.from({ length: 21 }, (_, i) => 600 - i * 20)
/**
 * The label's width in a chart at most `chartWidth` wide (and wider than 20 px less): with the
 * grid's left edge (8 px) and the label's margin (8 px), a little under a third of the chart.
 */
const labelWidth = (chartWidth: number) => Math.floor((chartWidth - 20) / 3) - 22

function axisLabel(width: number, fontSize: number) {
  // CJK characters are as wide as the font is high: what two lines hold.
  const max = 2 * Math.max(2, Math.floor(width / fontSize))
  return {
    width,
    overflow: 'break',
    lineHeight: fontSize + 2,
    height: 2 * (fontSize + 2),
    lineOverflow: 'truncate',
    formatter: (name: string) => (name.length > max ? `${name.slice(0, max - 1)}…` : name),
  }
}

/**
 * The option as ECharts' `baseOption`, with media queries that narrow the category axis's labels
 * (on `yAxis`, `opts.width` wide in a chart of 600 px and more) to a third of a narrower chart.
 */
export function fitCategoryLabels<T extends object>(option: T, opts: { width: number; fontSize?: number }) {
  const fontSize = opts.fontSize ?? 12
  return {
    baseOption: option,
    media: [
      // No query: a chart wider than 600 px keeps its desk width (and gets it back after a narrow spell).
      {
        option: {
          yAxis: {
            axisLabel: {
              width: opts.width,
              overflow: 'truncate',
              height: null,
              lineHeight: null,
              lineOverflow: 'none',
              formatter: (name: string) => name,
            },
          },
        },
      },
      ...STEPS.filter((w) => labelWidth(w) < opts.width).map((w) => ({
        query: { maxWidth: w },
        option: { yAxis: { axisLabel: axisLabel(labelWidth(w), fontSize) } },
      })),
    ],
  }
}
