/** The memory estimate: a stacked bar of one GPU's memory drawn as inline SVG, then the numbers. */
import type { EstimateView } from '../src/shared/protocol.ts';
import { el } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
/** Theme colours through VS Code's CSS variables, so light, dark and high contrast all work. */
const COLORS = [
  'var(--vscode-charts-blue)',
  'var(--vscode-charts-orange)',
  'var(--vscode-charts-purple)',
  'var(--vscode-charts-green)',
];

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function bar(view: EstimateView): SVGSVGElement {
  const width = 600;
  const height = 36;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': `GPU memory: ${view.parts.map((p) => `${p.label} ${p.gib} GiB`).join(', ')}`,
  });
  chart.classList.add('memory-bar');
  const scale = width / view.totalGiB;
  let x = 0;
  view.parts.forEach((part, i) => {
    const w = Math.max(0, part.gib) * scale;
    if (w <= 0) return;
    const rect = svg('rect', { x, y: 0, width: w, height, fill: COLORS[i % COLORS.length] ?? 'gray' });
    const title = svg('title', {});
    title.textContent = `${part.label}: ${part.gib} GiB`;
    rect.append(title);
    chart.append(rect);
    x += w;
  });
  // Headroom vLLM leaves outside gpu_memory_utilization (CUDA graphs, other processes).
  chart.append(
    svg('rect', {
      x: view.usableGiB * scale,
      y: 0,
      width: Math.max(0, (view.totalGiB - view.usableGiB) * scale),
      height,
      fill: 'none',
      stroke: 'var(--vscode-foreground)',
      'stroke-dasharray': '4 3',
    }),
  );
  return chart;
}

export function renderEstimate(view: EstimateView): HTMLElement {
  const legend = el('table', { className: 'legend' });
  view.parts.forEach((part, i) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = COLORS[i % COLORS.length] ?? 'gray';
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
