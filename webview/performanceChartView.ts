/** Measured against predicted output tokens/s after a benchmark import: a log-log scatter with the diagonal. */
import type { PerformanceChartView } from '../src/shared/protocol.ts';
import { svg } from './charts.ts';
import { el } from './dom.ts';

const SIZE = 280;
const PAD = 40;

function scatter(view: PerformanceChartView): SVGSVGElement {
  const values = view.points.flatMap((p) => [p.measured, p.roofline, p.calibrated]).filter((v) => v > 0);
  const low = Math.log10(Math.min(...values) / 1.5);
  const high = Math.log10(Math.max(...values) * 1.5);
  const at = (v: number) => PAD + ((Math.log10(v) - low) / (high - low)) * (SIZE - 2 * PAD);
  const chart = svg('svg', { width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img' });
  chart.append(
    svg('line', { x1: PAD, y1: SIZE - PAD, x2: SIZE - PAD, y2: PAD, class: 'diagonal' }),
    svg('line', { x1: PAD, y1: SIZE - PAD, x2: SIZE - PAD, y2: SIZE - PAD, class: 'axis' }),
    svg('line', { x1: PAD, y1: SIZE - PAD, x2: PAD, y2: PAD, class: 'axis' }),
  );
  const label = (text: string, x: number, y: number, rotate = false) => {
    const t = svg('text', { x, y, 'text-anchor': 'middle', ...(rotate ? { transform: `rotate(-90 ${x} ${y})` } : {}) });
    t.textContent = text;
    return t;
  };
  chart.append(label(`measured ${view.unit}`, SIZE / 2, SIZE - 8), label(`predicted ${view.unit}`, 12, SIZE / 2, true));
  for (const p of view.points) {
    const x = at(p.measured);
    for (const [kind, value] of [
      ['roofline', p.roofline],
      ['calibrated', p.calibrated],
    ] as const) {
      const dot = svg('circle', { cx: x, cy: SIZE - at(value), r: 4, class: kind });
      const title = svg('title', {});
      title.textContent = `${p.label}: measured ${p.measured.toFixed(0)}, ${kind} ${value.toFixed(0)}`;
      dot.append(title);
      chart.append(dot);
    }
  }
  return chart;
}

export function renderPerformanceChart(view: PerformanceChartView): HTMLElement {
  const section = el(
    'section',
    { className: 'card', id: 'performance-chart' },
    el('h2', { text: 'Measured against predicted' }),
    el('p', { className: 'explain', text: view.title }),
  );
  if (view.points.length > 0) section.append(scatter(view));
  const head = el('tr', {}, ...['Run', 'Measured', 'Roofline', 'Calibrated'].map((h) => el('th', { text: h })));
  const rows = view.points.map((p) =>
    el(
      'tr',
      {},
      el('td', { text: p.label }),
      ...[p.measured, p.roofline, p.calibrated].map((v) => el('td', { className: 'num', text: v.toFixed(0) })),
    ),
  );
  section.append(
    el('table', { className: 'suggestions' }, el('thead', {}, head), el('tbody', {}, ...rows)),
    el('ul', {}, ...view.notes.map((n) => el('li', { text: n }))),
  );
  return section;
}
