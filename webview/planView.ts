/** The allocation plan: the problem as JSON, Solve / Cancel, and the placement as memory bars per GPU. */
import type { PlanState, PlanView } from '../src/shared/protocol.ts';
import { button, progressRing, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['var(--vscode-charts-blue)', 'var(--vscode-charts-orange)', 'var(--vscode-charts-green)', 'var(--vscode-charts-purple)', 'var(--vscode-charts-red)', 'var(--vscode-charts-yellow)'];

export interface PlanActions {
  /** The text changed (kept, so a re-render does not lose the edit). */
  edit(text: string): void;
  solve(text: string): void;
  cancel(): void;
  export(format: 'json' | 'kubernetes' | 'vllm'): void;
}

function colorFor(model: string, models: string[]): string {
  return PALETTE[models.indexOf(model) % PALETTE.length] ?? 'gray';
}

function bars(plan: PlanView): SVGSVGElement {
  const models = [...new Set(plan.gpus.flatMap((g) => g.shards.map((s) => s.model)))];
  const rowHeight = 22;
  const labelWidth = 110;
  const width = 640;
  const barWidth = width - labelWidth - 10;
  const chart = document.createElementNS(SVG, 'svg');
  chart.setAttribute('viewBox', `0 0 ${width} ${plan.gpus.length * rowHeight}`);
  chart.setAttribute('width', '100%');
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', `Placement on ${plan.gpus.length} GPUs`);
  chart.classList.add('plan-bars');
  plan.gpus.forEach((gpu, row) => {
    const y = row * rowHeight;
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '0');
    label.setAttribute('y', String(y + 15));
    label.setAttribute('fill', 'var(--vscode-foreground)');
    label.textContent = gpu.label;
    chart.append(label);
    const frame = document.createElementNS(SVG, 'rect');
    Object.entries({ x: labelWidth, y: y + 3, width: barWidth, height: rowHeight - 6, fill: 'none', stroke: 'var(--vscode-panel-border, gray)' }).forEach(([k, v]) => frame.setAttribute(k, String(v)));
    chart.append(frame);
    let x = labelWidth;
    for (const shard of gpu.shards) {
      const w = (shard.memoryGiB / gpu.memoryGiB) * barWidth;
      const rect = document.createElementNS(SVG, 'rect');
      Object.entries({ x, y: y + 3, width: Math.max(0, w - 1), height: rowHeight - 6, fill: colorFor(shard.model, models) }).forEach(([k, v]) => rect.setAttribute(k, String(v)));
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${shard.model}: ${shard.memoryGiB} GiB of ${gpu.memoryGiB} GiB`;
      rect.append(title);
      chart.append(rect);
      x += w;
    }
  });
  return chart;
}

function result(plan: PlanView): HTMLElement[] {
  const out: HTMLElement[] = [el('p', { id: 'plan-message', className: plan.status === 'optimal' || plan.status === 'feasible' ? 'ok' : 'error', text: plan.message })];
  const row = (label: string, c: { costPerHour: number; gpusUsed: number } | undefined) =>
    el('tr', {}, el('td', { text: label }), el('td', { className: 'num', text: c ? String(c.gpusUsed) : '-' }), el('td', { className: 'num', text: c ? `$${c.costPerHour.toFixed(2)}` : 'no placement' }));
  out.push(
    el(
      'table',
      { className: 'suggestions', id: 'plan-costs' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Plan' }), el('th', { text: 'GPUs' }), el('th', { text: '$/hour' }))),
      el('tbody', {}, row('This plan', plan.costPerHour === undefined ? undefined : { costPerHour: plan.costPerHour, gpusUsed: plan.gpusUsed ?? 0 }), row('First-fit decreasing', plan.greedy), row('One replica per GPU', plan.onePerGpu)),
    ),
  );
  if (plan.gpus.length) {
    const legend = [...new Set(plan.gpus.flatMap((g) => g.shards.map((s) => s.model)))];
    out.push(el('div', { className: 'legend-inline' }, ...legend.map((m) => {
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = colorFor(m, legend);
      return el('span', {}, swatch, el('span', { text: ` ${m}  ` }));
    })));
    out.push(bars(plan) as unknown as HTMLElement);
  }
  return out;
}

export function renderPlan(state: PlanState, problemText: string | undefined, actions: PlanActions): HTMLElement {
  const editor = textArea('Problem (JSON): GPU pool and models', problemText ?? '', 14);
  editor.id = 'plan-problem';
  const read = () => (editor as HTMLElement & { value?: string }).value ?? problemText ?? '';
  editor.addEventListener('input', () => actions.edit(read()));
  const controls = el('div', { className: 'row' });
  if (state.state === 'solving') {
    controls.append(progressRing('Solving'), el('span', { text: 'Solving with GLPK…' }), button('Cancel', actions.cancel, 'secondary'));
  } else {
    controls.append(button('Solve', () => actions.solve(read())));
  }
  const section = el('section', { className: 'card', id: 'plan' }, el('h2', { text: 'Allocation plan' }), el('p', { className: 'explain', text: 'Places every replica on the pool at least cost (or fewest GPUs), proven optimal by GLPK where it can be, beside first-fit decreasing and one replica per GPU. A TP=k replica takes k GPUs of one type.' }), editor, controls);
  if (state.state === 'done') {
    section.append(...result(state.plan));
    if (state.plan.gpus.length) {
      section.append(el('div', { className: 'row' }, button('Open as JSON', () => actions.export('json'), 'secondary'), button('Open as Kubernetes Deployments', () => actions.export('kubernetes'), 'secondary'), button('Open as vllm serve commands', () => actions.export('vllm'), 'secondary')));
    }
  }
  return section;
}
