// A horizontal bar chart as standalone SVG text: no Node or DOM APIs, so `kiln profile --html`
// and the web demo (in the browser) draw the same picture of where the time goes.

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown at the bar's end, e.g. "1.23 ms 12.5%". */
  readonly note: string;
  /** Tooltip. */
  readonly title?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function barChartSvg(title: string, bars: readonly Bar[], width = 900): string {
  const row = 20, top = 30, labelWidth = 300, noteWidth = 150;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const plot = width - labelWidth - noteWidth;
  const height = top + row * bars.length + 10;
  const rows = bars.map((b, i) => {
    const y = top + i * row, w = Math.max(1, (b.value / max) * plot);
    const label = b.label.length > 44 ? `${b.label.slice(0, 43)}…` : b.label;
    return `<g><title>${escape(b.title ?? b.label)}</title>` +
      `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escape(label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="#d9622b"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 14}">${escape(b.note)}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">` +
    `<text x="0" y="18" font-size="14" font-weight="bold">${escape(title)}</text>${rows.join('')}</svg>`;
}
