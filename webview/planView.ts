/** The allocation plan: the problem as JSON, Solve / Cancel, and the placement as memory bars per GPU. */
import type { PlanState, PlanView } from '../src/shared/protocol.ts';
import { button, progressRing, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = [
  'var(--vscode-charts-blue)',
  'var(--vscode-charts-orange)',
  'var(--vscode-charts-green)',
  'var(--vscode-charts-purple)',
  'var(--vscode-charts-red)',
  'var(--vscode-charts-yellow)',
];

export interface PlanActions {
  /** The text changed (kept, so a re-render does not lose the edit). */
  edit(text: string): void;
  solve(text: string): void;
  cancel(): void;
  export(format: 'json' | 'kubernetes' | 'vllm'): void;
  example(example: 'packing' | 'provisioning'): void;
  poolFromInventory(text: string): void;
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
    Object.entries({
      x: labelWidth,
      y: y + 3,
      width: barWidth,
      height: rowHeight - 6,
      fill: 'none',
      stroke: 'var(--vscode-panel-border, gray)',
    }).forEach(([k, v]) => frame.setAttribute(k, String(v)));
    chart.append(frame);
    let x = labelWidth;
    for (const shard of gpu.shards) {
      const w = (shard.memoryGiB / gpu.memoryGiB) * barWidth;
      const rect = document.createElementNS(SVG, 'rect');
      Object.entries({
        x,
        y: y + 3,
        width: Math.max(0, w - 1),
        height: rowHeight - 6,
        fill: colorFor(shard.model, models),
      }).forEach(([k, v]) => rect.setAttribute(k, String(v)));
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${shard.model}: ${shard.memoryGiB} GiB of ${gpu.memoryGiB} GiB`;
      rect.append(title);
      chart.append(rect);
      x += w;
    }
  });
  return chart;
}

/** Cost against headroom: the points the weighted sweep found, joined left to right. */
function frontChart(front: { costPerHour: number; headroom: number }[]): SVGSVGElement {
  const width = 640;
  const height = 200;
  const pad = 40;
  const chart = document.createElementNS(SVG, 'svg');
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  chart.setAttribute('width', '100%');
  chart.classList.add('pareto');
  chart.setAttribute('aria-label', 'Cost against spare capacity');
  const xs = front.map((p) => p.costPerHour);
  const ys = front.map((p) => p.headroom);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const [y0, y1] = [Math.min(1, ...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / Math.max(1e-9, x1 - x0)) * (width - 2 * pad);
  const sy = (y: number) => height - pad + 10 - ((y - y0) / Math.max(1e-9, y1 - y0)) * (height - 2 * pad);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', front.map((p) => `${sx(p.costPerHour)},${sy(p.headroom)}`).join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'var(--vscode-charts-blue)');
  chart.append(line);
  for (const p of front) {
    const dot = document.createElementNS(SVG, 'circle');
    for (const [k, v] of Object.entries({
      cx: sx(p.costPerHour),
      cy: sy(p.headroom),
      r: 4,
      fill: 'var(--vscode-charts-blue)',
    }))
      dot.setAttribute(k, String(v));
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `$${p.costPerHour.toFixed(2)}/h: ${p.headroom.toFixed(2)}x the demand`;
    dot.append(title);
    chart.append(dot);
  }
  const label = (x: number, y: number, text: string, anchor = 'start') => {
    const t = document.createElementNS(SVG, 'text');
    for (const [k, v] of Object.entries({ x, y, 'text-anchor': anchor, fill: 'var(--vscode-descriptionForeground)' }))
      t.setAttribute(k, String(v));
    t.textContent = text;
    chart.append(t);
  };
  label(pad, height - 8, `$${x0.toFixed(2)}/h`);
  label(width - pad, height - 8, `$${x1.toFixed(2)}/h`, 'end');
  label(4, 14, `${y1.toFixed(2)}x demand`);
  label(4, height - pad + 6, `${y0.toFixed(2)}x`);
  return chart;
}

function provisioningResult(p: NonNullable<PlanView['provisioning']>): HTMLElement[] {
  const out: HTMLElement[] = [
    el(
      'table',
      { className: 'suggestions', id: 'provisioning-table' },
      el(
        'thead',
        {},
        el('tr', {}, ...['Model', 'GPU', 'TP', 'Replicas', 'req/s', '$/hour'].map((h) => el('th', { text: h }))),
      ),
      el(
        'tbody',
        {},
        ...p.rows.map((r) =>
          el(
            'tr',
            {},
            el('td', { text: r.model }),
            el('td', { text: r.gpuType }),
            el('td', { className: 'num', text: String(r.tp) }),
            el('td', { className: 'num', text: String(r.replicas) }),
            el('td', { className: 'num', text: r.requestsPerSecond.toFixed(2) }),
            el('td', { className: 'num', text: r.costPerHour.toFixed(2) }),
          ),
        ),
      ),
    ),
  ];
  if (p.homogeneous)
    out.push(
      el('p', {
        className: 'explain',
        text: `The cheapest fleet of one GPU type: ${p.homogeneous.gpuType} at $${p.homogeneous.costPerHour.toFixed(2)}/h.`,
      }),
    );
  if (p.front.length > 1)
    out.push(el('h3', { text: 'More spare capacity for more money' }), frontChart(p.front) as unknown as HTMLElement);
  return out;
}

function result(plan: PlanView): HTMLElement[] {
  const out: HTMLElement[] = [
    el('p', {
      id: 'plan-message',
      className: plan.status === 'optimal' || plan.status === 'feasible' ? 'ok' : 'error',
      text: plan.message,
    }),
  ];
  if (plan.provisioning) return [...out, ...provisioningResult(plan.provisioning)];
  const row = (label: string, c: { costPerHour: number; gpusUsed: number } | undefined) =>
    el(
      'tr',
      {},
      el('td', { text: label }),
      el('td', { className: 'num', text: c ? String(c.gpusUsed) : '-' }),
      el('td', { className: 'num', text: c ? `$${c.costPerHour.toFixed(2)}` : 'no placement' }),
    );
  out.push(
    el(
      'table',
      { className: 'suggestions', id: 'plan-costs' },
      el(
        'thead',
        {},
        el('tr', {}, el('th', { text: 'Plan' }), el('th', { text: 'GPUs' }), el('th', { text: '$/hour' })),
      ),
      el(
        'tbody',
        {},
        row(
          'This plan',
          plan.costPerHour === undefined ? undefined : { costPerHour: plan.costPerHour, gpusUsed: plan.gpusUsed ?? 0 },
        ),
        row('First-fit decreasing', plan.greedy),
        row('One replica per GPU', plan.onePerGpu),
      ),
    ),
  );
  if (plan.gpus.length) {
    const legend = [...new Set(plan.gpus.flatMap((g) => g.shards.map((s) => s.model)))];
    out.push(
      el(
        'div',
        { className: 'legend-inline' },
        ...legend.map((m) => {
          const swatch = el('span', { className: 'swatch' });
          swatch.style.background = colorFor(m, legend);
          return el('span', {}, swatch, el('span', { text: ` ${m}  ` }));
        }),
      ),
    );
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
    controls.append(
      progressRing('Solving'),
      el('span', { text: 'Solving with GLPK…' }),
      button('Cancel', () => actions.cancel(), 'secondary'),
    );
  } else {
    controls.append(
      button('Solve', () => actions.solve(read())),
      button('Example: place replicas', () => actions.example('packing'), 'secondary'),
      button('Example: provision for a demand', () => actions.example('provisioning'), 'secondary'),
      button('Use my GPUs as the pool', () => actions.poolFromInventory(read()), 'secondary'),
    );
  }
  const section = el(
    'section',
    { className: 'card', id: 'plan' },
    el('h2', { text: 'Allocation plan' }),
    el('p', {
      className: 'explain',
      text: 'Places every replica on the pool at least cost (or fewest GPUs), proven optimal by GLPK where it can be, beside first-fit decreasing and one replica per GPU. A TP=k replica takes k GPUs of one type. Give models a "demand" (requests/s) instead of "replicas" and it chooses the GPU types, TP and replica counts that meet it at least cost.',
    }),
    editor,
    controls,
  );
  if (state.state === 'done') {
    section.append(...result(state.plan));
    if (state.plan.gpus.length) {
      section.append(
        el(
          'div',
          { className: 'row' },
          button('Open as JSON', () => actions.export('json'), 'secondary'),
          button('Open as Kubernetes Deployments', () => actions.export('kubernetes'), 'secondary'),
          button('Open as vllm serve commands', () => actions.export('vllm'), 'secondary'),
        ),
      );
    }
  }
  return section;
}
