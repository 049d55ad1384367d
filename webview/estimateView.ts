/** The memory estimate: a stacked bar of one GPU's memory drawn as inline SVG, then the numbers. */
import type { EstimateView } from '../src/shared/protocol.ts';
import { chart, colorAt, ERROR, horizontalAxis, svg, TEXT, text, titled } from './charts.ts';
import { ticks } from './scale.ts';
import { el } from './dom.ts';
import { drawnParts, overflowGiB } from './memoryOverflow.ts';

/** Theme colours through VS Code's CSS variables, so light, dark and high contrast all work. */
const COLORS: Record<string, string> = {
  Weights: colorAt(0),
  'Activation peak': colorAt(1),
  'Non-torch memory': colorAt(4),
  'CUDA graphs': colorAt(5),
  'KV cache': colorAt(2),
};
const colorOf = (label: string, index: number) => COLORS[label] ?? colorAt(index);

/**
 * One GPU's memory on a GiB scale: the parts side by side, the usable line (gpu_memory_utilization)
 * and the GPU's total marked; what does not fit runs past the usable line in the error colour.
 */
function bar(view: EstimateView): SVGSVGElement {
  const parts = drawnParts(view);
  const need = parts.reduce((sum, p) => sum + p.gib, 0);
  const over = overflowGiB(view);
  const width = 640;
  const left = 8;
  const right = 16;
  const top = 18;
  const barHeight = 34;
  const axisY = top + barHeight + 4;
  const tickValues = ticks(Math.max(view.totalGiB, need));
  const max = tickValues.at(-1) ?? Math.max(view.totalGiB, need);
  const at = (gib: number) => left + (gib / max) * (width - left - right);
  const root = chart(
    width,
    axisY + 34,
    `GPU memory in GiB: ${parts.map((p) => `${p.label} ${p.gib} GiB`).join(', ')}; usable ${view.usableGiB} of ${view.totalGiB} GiB${over > 0 ? `; ${over} GiB over the usable memory` : ''}`,
    'memory-bar',
  );
  horizontalAxis(root, { x0: left, x1: width - right, y: axisY, top, values: tickValues, max, title: 'GiB per GPU' });
  let x = 0;
  parts.forEach((part, i) => {
    if (part.gib <= 0) return;
    // Inside the usable memory a part has its colour; what lies past the usable line is overflow.
    const start = x;
    const end = x + part.gib;
    const inside = Math.min(end, view.usableGiB);
    if (inside > start)
      root.append(
        titled(
          svg('rect', {
            x: at(start),
            y: top,
            width: at(inside) - at(start),
            height: barHeight,
            fill: colorOf(part.label, i),
          }),
          `${part.label}: ${part.gib} GiB`,
        ),
      );
    x = end;
  });
  if (over > 0) {
    root.append(
      titled(
        svg('rect', {
          x: at(view.usableGiB),
          y: top,
          width: at(need) - at(view.usableGiB),
          height: barHeight,
          fill: ERROR,
          class: 'overflow',
        }),
        `${over} GiB more than the usable memory`,
      ),
      text(at(need), top - 5, `over by ${over.toFixed(2)} GiB`, {
        // In the text colour: the error colour on white is short of AA for text (3.4:1).
        'text-anchor': 'end',
        class: 'overflow-label',
      }),
    );
  }
  root.append(
    svg('line', {
      x1: at(view.usableGiB),
      x2: at(view.usableGiB),
      y1: top - 4,
      y2: top + barHeight + 4,
      stroke: TEXT,
      'stroke-width': 2,
      class: 'usable-line',
    }),
    text(at(view.usableGiB) - 3, top - 5, `usable ${view.usableGiB.toFixed(2)}`, {
      'text-anchor': over > 0 ? 'start' : 'end',
    }),
    svg('rect', {
      x: at(0),
      y: top,
      width: at(view.totalGiB) - at(0),
      height: barHeight,
      fill: 'none',
      stroke: TEXT,
      'stroke-dasharray': '4 3',
    }),
  );
  return root;
}

export function renderEstimate(view: EstimateView): HTMLElement {
  const legend = el('table', { className: 'legend', id: 'estimate-legend' });
  const over = overflowGiB(view);
  drawnParts(view).forEach((part, i) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = colorOf(part.label, i);
    legend.append(
      el(
        'tr',
        {},
        el('td', {}, swatch),
        el('td', { text: part.label }),
        el('td', { className: 'num', text: `${part.gib.toFixed(2)} GiB` }),
      ),
    );
  });
  legend.append(
    el(
      'tr',
      {},
      el('td'),
      el('td', { text: 'Usable (gpu_memory_utilization)' }),
      el('td', { className: 'num', text: `${view.usableGiB.toFixed(2)} of ${view.totalGiB.toFixed(2)} GiB` }),
    ),
  );
  if (over > 0) {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = ERROR;
    legend.append(
      el(
        'tr',
        { className: 'error', id: 'estimate-overflow' },
        el('td', {}, swatch),
        el('td', { text: 'Over the usable memory' }),
        el('td', { className: 'num', text: `${over.toFixed(2)} GiB` }),
      ),
    );
  }
  const section = el(
    'section',
    { className: 'card', id: 'estimate' },
    el('h2', { text: 'Memory estimate' }),
    el('p', { className: 'explain', text: view.title }),
    bar(view),
    legend,
    el('p', {
      id: 'estimate-verdict',
      className: view.fits ? 'ok' : 'error',
      role: view.fits ? undefined : 'alert',
      text: view.fits
        ? `Fits: ${view.kvCacheTokens.toLocaleString('en-US')} tokens of KV cache, ${view.maxConcurrency} requests at max_model_len.`
        : `Does not fit. ${view.problems.join(' ')}`,
    }),
  );
  if (view.advice.length)
    section.append(
      el('h3', { text: 'What would make it fit' }),
      el('ul', {}, ...view.advice.map((a) => el('li', { text: a }))),
    );
  section.append(
    el(
      'details',
      {},
      el('summary', { text: 'How each number is made' }),
      el('ul', {}, ...view.explanation.map((line) => el('li', { text: line }))),
    ),
  );
  return section;
}
