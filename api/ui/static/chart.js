// Small horizontal bar charts as inline SVG, shared by the registration report and the campaign
// dashboard. Horizontal so the category names stay readable on a phone; colours come from
// app.css (.bar.s0 … .bar.s3), so no inline style is needed under the self-only CSP.
import { h } from './lib.js';

/**
 * One group of bars per category, one bar per series (or, with `stacked`, one bar per category
 * split by series and labelled with its total). The SVG is an image titled `title`; every bar
 * carries its own tooltip. Returns a <figure> with the legend as its caption.
 *
 * @param {{ id: string, title: string, categories: string[], series: { name: string, data: number[] }[], stacked?: boolean, labelWidth?: number }} spec
 */
export function barChart({ id, title, categories, series, stacked = false, labelWidth = 120 }) {
  const labelW = labelWidth;
  const barW = 340;
  const bar = 12;
  const totals = categories.map((_, i) => series.reduce((n, s) => n + (s.data[i] ?? 0), 0));
  const max = Math.max(1, ...(stacked ? totals : series.flatMap((s) => s.data.map((v) => Math.abs(v ?? 0)))));
  const groupH = (stacked ? 1 : series.length) * bar + 10;
  const height = categories.length * groupH + 10;
  const svg = h('svg:svg', { viewBox: `0 0 ${labelW + barW + 60} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}-title`, id },
    h('svg:title', { id: `${id}-title` }, title));
  categories.forEach((name, i) => {
    const y0 = 5 + i * groupH;
    svg.append(h('svg:text', { x: labelW - 6, y: y0 + groupH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'chart-label' }, name));
    if (stacked) {
      let x = labelW;
      series.forEach((s, j) => {
        const v = s.data[i] ?? 0;
        const w = Math.max(0, (v / max) * barW);
        svg.append(h('svg:rect', { x, y: y0, width: w, height: bar - 2, class: `bar s${j}` }, h('svg:title', {}, `${name} · ${s.name}: ${v}`)));
        x += w;
      });
      svg.append(h('svg:text', { x: x + 4, y: y0 + bar / 2, 'dominant-baseline': 'middle', class: 'chart-value' }, String(totals[i])));
      return;
    }
    series.forEach((s, j) => {
      const v = s.data[i] ?? 0;
      const w = Math.max(0, (Math.abs(v) / max) * barW);
      const y = y0 + j * bar;
      svg.append(
        h('svg:rect', { x: labelW, y, width: w, height: bar - 2, class: `bar s${j}` }, h('svg:title', {}, `${name} · ${s.name}: ${v}`)),
        h('svg:text', { x: labelW + w + 4, y: y + bar / 2, 'dominant-baseline': 'middle', class: 'chart-value' }, String(v)),
      );
    });
  });
  const legend = h('ul', { class: 'legend' }, series.map((s, j) => h('li', {}, h('span', { class: `swatch s${j}`, 'aria-hidden': 'true' }), s.name)));
  return h('figure', { class: 'chart-box' }, svg, h('figcaption', {}, legend));
}
