/** The allocation plan: the problem as JSON, Solve / Cancel, and the placement as memory bars per GPU. */
import type { PlanState, PlanView } from '../src/shared/protocol.ts';
import { chart, colorAt, horizontalAxis, MUTED, svg, TEXT, text, titled } from './charts.ts';
import { formatMs, formatTick, rangeTicks, ticks } from './scale.ts';
import { button, progressRing, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';
import { problemForm } from './problemForm.ts';

export interface PlanActions {
  /** The text changed (kept, so a re-render does not lose the edit). */
  edit(text: string): void;
  solve(text: string): void;
  cancel(): void;
  export(format: 'json' | 'kubernetes' | 'vllm'): void;
  example(example: 'packing' | 'provisioning'): void;
  poolFromInventory(text: string): void;
}

type Shard = PlanView['gpus'][number]['shards'][number];

/** A TP group's name: the model and its replica, when the replica spans more than one GPU. */
function groupOf(shard: Shard): string | undefined {
  return shard.tp !== undefined && shard.tp > 1 && shard.replica !== undefined
    ? `${shard.model} replica ${shard.replica + 1} (TP ${shard.tp})`
    : undefined;
}

/**
 * One bar per GPU on a GiB scale: each shard with its GiB written in it where it fits, the GPU's
 * memory as the frame, and the GPUs of one tensor-parallel group joined by a bracket on the right.
 */
function bars(plan: PlanView): SVGSVGElement {
  const models = [...new Set(plan.gpus.flatMap((g) => g.shards.map((s) => s.model)))];
  const rowHeight = 22;
  const labelWidth = 110;
  const width = 640;
  const bracketWidth = 70;
  const top = 4;
  const axisY = top + plan.gpus.length * rowHeight + 2;
  const maxGiB = Math.max(1, ...plan.gpus.map((g) => g.memoryGiB));
  const tickValues = ticks(maxGiB);
  const scaleMax = tickValues.at(-1) ?? maxGiB;
  const x0 = labelWidth;
  const x1 = width - bracketWidth;
  const gib = (v: number) => (v / scaleMax) * (x1 - x0);
  const root = chart(width, axisY + 34, `Placement on ${plan.gpus.length} GPUs, memory per GPU in GiB`, 'plan-bars');
  horizontalAxis(root, { x0, x1, y: axisY, top, values: tickValues, max: scaleMax, title: 'Memory per GPU (GiB)' });
  const groupRows = new Map<string, number[]>();
  plan.gpus.forEach((gpu, row) => {
    const y = top + row * rowHeight;
    root.append(text(0, y + 15, gpu.label, { class: 'gpu-label' }));
    let x = x0;
    for (const shard of gpu.shards) {
      const w = gib(shard.memoryGiB);
      const group = groupOf(shard);
      if (group) groupRows.set(group, [...(groupRows.get(group) ?? []), row]);
      const fill = colorAt(models.indexOf(shard.model));
      root.append(
        titled(
          svg('rect', { x, y: y + 3, width: Math.max(0, w - 1), height: rowHeight - 6, fill }),
          `${shard.model}${group ? `, ${group}` : ''}: ${shard.memoryGiB} GiB of ${gpu.memoryGiB} GiB`,
        ),
      );
      // The value inside the shard, in the editor's colours on a plate, so it reads on any fill.
      if (w > 34) {
        const label = `${formatTick(shard.memoryGiB)}`;
        root.append(
          svg('rect', {
            x: x + 2,
            y: y + 5,
            width: label.length * 6.2 + 4,
            height: rowHeight - 10,
            fill: 'var(--vscode-editor-background)',
            opacity: 0.85,
          }),
          text(x + 4, y + 15, label, { class: 'value' }),
        );
      }
      x += w;
    }
    root.append(
      svg('rect', {
        x: x0,
        y: y + 3,
        width: gib(gpu.memoryGiB),
        height: rowHeight - 6,
        fill: 'none',
        stroke: TEXT,
        'stroke-width': 1,
      }),
    );
  });
  let lane = 0;
  for (const [group, rows] of groupRows) {
    const first = Math.min(...rows);
    const last = Math.max(...rows);
    const bx = x1 + 6 + (lane++ % 3) * 8;
    root.append(
      titled(
        svg('path', {
          d: `M ${bx} ${top + first * rowHeight + 5} h 4 V ${top + last * rowHeight + rowHeight - 5} h -4`,
          fill: 'none',
          stroke: TEXT,
          'stroke-width': 1.5,
          class: 'tp-group',
        }),
        group,
      ),
    );
  }
  if (groupRows.size > 0) root.append(text(width - 2, axisY + 13, 'TP groups', { 'text-anchor': 'end', fill: MUTED }));
  return root;
}

/**
 * Cost against spare capacity: each point a fleet the weighted sweep found, labelled with its
 * cost and capacity; the x axis in US$/hour, the y axis in multiples of the demand.
 */
function frontChart(front: { costPerHour: number; headroom: number }[]): SVGSVGElement {
  const width = 640;
  const height = 230;
  const left = 56;
  const right = 20;
  const top = 14;
  const bottom = height - 40;
  const xs = front.map((p) => p.costPerHour);
  const ys = front.map((p) => p.headroom);
  const xPad = Math.max(0.5, (Math.max(...xs) - Math.min(...xs)) * 0.08);
  const [xMin, xMax] = [Math.max(0, Math.min(...xs) - xPad), Math.max(...xs) + xPad];
  const [yMin, yMax] = [Math.min(1, ...ys), Math.max(...ys) * 1.08];
  const sx = (x: number) => left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * (width - left - right);
  const sy = (y: number) => bottom - ((y - yMin) / Math.max(1e-9, yMax - yMin)) * (bottom - top);
  const root = chart(width, height, 'Fleets by cost (US$/hour) and spare capacity (times the demand)', 'pareto');
  horizontalAxis(root, {
    x0: left,
    x1: width - right,
    y: bottom,
    top,
    values: rangeTicks(xMin, xMax),
    min: xMin,
    max: xMax,
    title: 'Cost (US$/hour)',
  });
  root.append(svg('line', { x1: left, x2: left, y1: top, y2: bottom, stroke: MUTED }));
  for (const v of rangeTicks(yMin, yMax)) {
    root.append(
      svg('line', { x1: left - 4, x2: left, y1: sy(v), y2: sy(v), stroke: MUTED }),
      text(left - 6, sy(v) + 4, `${formatTick(v)}x`, { 'text-anchor': 'end', fill: MUTED }),
    );
  }
  root.append(
    text(12, (top + bottom) / 2, 'Capacity / demand', {
      'text-anchor': 'middle',
      fill: MUTED,
      transform: `rotate(-90 12 ${(top + bottom) / 2})`,
    }),
  );
  const sorted = [...front].sort((a, b) => a.costPerHour - b.costPerHour);
  root.append(
    svg('polyline', {
      points: sorted.map((p) => `${sx(p.costPerHour)},${sy(p.headroom)}`).join(' '),
      fill: 'none',
      stroke: colorAt(0),
    }),
  );
  sorted.forEach((p, i) => {
    const label = `$${p.costPerHour.toFixed(2)}/h, ${p.headroom.toFixed(2)}x`;
    root.append(
      titled(svg('circle', { cx: sx(p.costPerHour), cy: sy(p.headroom), r: 4, fill: colorAt(0) }), label),
      // Labels alternate above and below the line so neighbours do not overlap.
      text(sx(p.costPerHour), sy(p.headroom) + (i % 2 === 0 ? -8 : 16), label, {
        'text-anchor': i === 0 ? 'start' : i === sorted.length - 1 ? 'end' : 'middle',
        class: 'point-label',
      }),
    );
  });
  return root;
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
    out.push(
      el('h3', { text: 'More spare capacity for more money' }),
      el('p', {
        className: 'explain',
        id: 'spare-capacity',
        text: 'Spare capacity: the requests per second a fleet can serve divided by the demand, averaged over the models (1.00x serves exactly the demand, 1.50x has half as much again to spare for bursts). Each point is the cheapest fleet found with at least that much.',
      }),
      frontChart(p.front) as unknown as HTMLElement,
    );
  return out;
}

function result(plan: PlanView): HTMLElement[] {
  const out: HTMLElement[] = [
    el('p', {
      id: 'plan-message',
      className: plan.status === 'optimal' || plan.status === 'feasible' ? 'ok' : 'error',
      role: plan.status === 'optimal' || plan.status === 'feasible' ? undefined : 'alert',
      text: plan.message,
    }),
  ];
  if (plan.provisioning) return [...out, ...provisioningResult(plan.provisioning)];
  const row = (
    label: string,
    c: { costPerHour: number; gpusUsed: number } | undefined,
    time = '',
    none = 'no placement',
  ) => {
    if (!c && time === '' && none !== 'no placement') {
      // A method that did not run says why across the figures' columns.
      const why = el('td', { className: 'explain', text: none });
      why.colSpan = 3;
      return el('tr', {}, el('td', { text: label }), why);
    }
    return el(
      'tr',
      {},
      el('td', { text: label }),
      el('td', { className: 'num', text: c ? String(c.gpusUsed) : '-' }),
      el('td', { className: 'num', text: c ? `$${c.costPerHour.toFixed(2)}` : none }),
      el('td', { className: 'num', text: time }),
    );
  };
  const ms = (v: number | undefined) => (v === undefined ? '' : formatMs(v));
  const dp = plan.dp;
  out.push(
    el(
      'table',
      { className: 'suggestions', id: 'plan-costs' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { text: 'Method' }),
          el('th', { text: 'GPUs' }),
          el('th', { text: '$/hour' }),
          el('th', { text: 'Time' }),
        ),
      ),
      el(
        'tbody',
        {},
        row(
          'This plan (GLPK, arc-flow MIP)',
          plan.costPerHour === undefined ? undefined : { costPerHour: plan.costPerHour, gpusUsed: plan.gpusUsed ?? 0 },
          ms(plan.mipMs),
        ),
        row('First-fit decreasing', plan.greedy),
        row('One replica per GPU', plan.onePerGpu),
        ...(dp
          ? [
              row(
                'Exact DP over subsets',
                dp.gpusUsed === undefined || dp.costPerHour === undefined
                  ? undefined
                  : { gpusUsed: dp.gpusUsed, costPerHour: dp.costPerHour },
                ms(dp.ms),
                dp.note,
              ),
            ]
          : []),
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
          swatch.style.background = colorAt(legend.indexOf(m));
          return el('span', {}, swatch, el('span', { text: ` ${m}  ` }));
        }),
      ),
    );
    out.push(bars(plan) as unknown as HTMLElement);
  }
  return out;
}

export function renderPlan(state: PlanState, problemText: string | undefined, actions: PlanActions): HTMLElement {
  const editor = textArea('The problem as JSON (kept in step with the form)', problemText ?? '', 14) as HTMLElement & {
    value: string;
  };
  editor.id = 'plan-problem';
  let current = problemText ?? '';
  const read = () => current;
  // The form rewrites the JSON on every field edit; an edit of the JSON rebuilds the form.
  const form = el('div', { className: 'form-host' }, problemForm(current, onFormChange));
  function onFormChange(text: string): void {
    current = text;
    editor.value = text;
    actions.edit(text);
  }
  editor.addEventListener('input', () => {
    current = editor.value;
    actions.edit(current);
    form.replaceChildren(problemForm(current, onFormChange));
  });
  const advanced = el(
    'details',
    { id: 'plan-advanced' },
    el('summary', { text: 'Advanced: the problem as JSON' }),
    editor,
  );
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
    form,
    advanced,
    controls,
  );
  if (state.state === 'done') {
    section.append(...result(state.plan));
    if (state.plan.gpus.length || state.plan.provisioning?.rows.length) {
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
