/**
 * Simulation, run in the page itself (the simulators are pure and take milliseconds): a job
 * queue under every scheduling policy with a Gantt chart, and request routing with latency
 * percentiles per policy.
 */
import { simulateJobs, type Job, type ScheduleResult, type SchedulingPolicy } from '../src/core/sched/jobScheduling.ts';
import { simulateRouting, type Replica, type RoutingPolicy } from '../src/core/sched/loadBalancing.ts';
import { button, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';

export const EXAMPLE_JOBS = JSON.stringify(
  {
    gpus: 4,
    quantum: 2,
    jobs: [
      { id: 'pretrain', arrival: 0, duration: 12, gpus: 4, priority: 2 },
      { id: 'finetune-a', arrival: 1, duration: 4, gpus: 2, priority: 1 },
      { id: 'finetune-b', arrival: 2, duration: 6, gpus: 2, priority: 1 },
      { id: 'eval-1', arrival: 3, duration: 1, gpus: 1, priority: 0 },
      { id: 'eval-2', arrival: 3, duration: 2, gpus: 1, priority: 0 },
      { id: 'batch-embed', arrival: 5, duration: 3, gpus: 1, priority: 3 },
    ],
  },
  null,
  2,
);

export const EXAMPLE_ROUTING = JSON.stringify(
  {
    requestsPerSecond: 9,
    requests: 50000,
    replicas: [
      { name: 'h100-a', serviceRate: 4 },
      { name: 'h100-b', serviceRate: 4 },
      { name: 'l40s', serviceRate: 2 },
    ],
  },
  null,
  2,
);

const POLICIES: SchedulingPolicy[] = ['fcfs', 'sjf', 'srtf', 'rr', 'priority'];
const ROUTES: RoutingPolicy[] = ['random', 'round-robin', 'weighted', 'least-outstanding'];
const SVG = 'http://www.w3.org/2000/svg';

function gantt(result: ScheduleResult, gpus: number): SVGSVGElement {
  const width = 640;
  const lane = 22;
  const left = 60;
  const scale = (width - left - 10) / Math.max(1e-9, result.makespan);
  const jobs = [...new Set(result.gantt.map((s) => s.job))];
  const colors = [
    'var(--vscode-charts-blue)',
    'var(--vscode-charts-orange)',
    'var(--vscode-charts-green)',
    'var(--vscode-charts-purple)',
    'var(--vscode-charts-red)',
    'var(--vscode-charts-yellow)',
  ];
  const chart = document.createElementNS(SVG, 'svg');
  chart.setAttribute('viewBox', `0 0 ${width} ${gpus * lane + 16}`);
  chart.setAttribute('width', '100%');
  chart.classList.add('gantt');
  chart.setAttribute('aria-label', `Gantt chart, ${result.policy}`);
  for (let g = 0; g < gpus; g++) {
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '0');
    label.setAttribute('y', String(g * lane + 15));
    label.setAttribute('fill', 'var(--vscode-foreground)');
    label.textContent = `GPU ${g}`;
    chart.append(label);
  }
  for (const segment of result.gantt) {
    for (const l of segment.lanes) {
      const rect = document.createElementNS(SVG, 'rect');
      const attrs = {
        x: left + segment.start * scale,
        y: l * lane + 3,
        width: Math.max(1, (segment.end - segment.start) * scale - 1),
        height: lane - 6,
        fill: colors[jobs.indexOf(segment.job) % colors.length] ?? 'gray',
      };
      for (const [k, v] of Object.entries(attrs)) rect.setAttribute(k, String(v));
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${segment.job}: ${segment.start}-${segment.end}`;
      rect.append(title);
      chart.append(rect);
    }
  }
  const axis = document.createElementNS(SVG, 'text');
  axis.setAttribute('x', String(width - 10));
  axis.setAttribute('y', String(gpus * lane + 14));
  axis.setAttribute('text-anchor', 'end');
  axis.setAttribute('fill', 'var(--vscode-descriptionForeground)');
  axis.textContent = `time 0 - ${result.makespan}`;
  chart.append(axis);
  return chart;
}

function table(head: string[], rows: (string | number)[][], id: string): HTMLElement {
  return el(
    'table',
    { className: 'suggestions', id },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el('tr', {}, ...r.map((c, i) => el('td', { className: i > 0 ? 'num' : '', text: String(c) }))),
      ),
    ),
  );
}

function runJobs(text: string, out: HTMLElement): void {
  try {
    const input = JSON.parse(text) as {
      gpus: number;
      quantum?: number;
      jobs: (Pick<Job, 'id' | 'arrival' | 'duration'> & Partial<Job>)[];
    };
    if (!Array.isArray(input.jobs) || !(input.gpus >= 1))
      throw new Error('Give "gpus" (a number) and "jobs" (a list of {id, arrival, duration, gpus, priority}).');
    const jobs: Job[] = input.jobs.map((j) => ({
      id: String(j.id),
      arrival: Number(j.arrival),
      duration: Number(j.duration),
      gpus: j.gpus ?? 1,
      priority: j.priority ?? 0,
    }));
    const results = POLICIES.map((p) => simulateJobs(jobs, input.gpus, p, input.quantum ?? 1));
    const best = results.reduce((a, b) => (b.meanCompletion < a.meanCompletion ? b : a));
    out.replaceChildren(
      table(
        ['Policy', 'Makespan', 'Mean wait', 'Mean completion', 'Utilization'],
        results.map((r) => [
          r.policy,
          r.makespan.toFixed(1),
          r.meanWait.toFixed(2),
          r.meanCompletion.toFixed(2),
          `${(r.utilization * 100).toFixed(0)} %`,
        ]),
        'jobs-table',
      ),
      el('p', { className: 'explain', text: `Gantt chart of ${best.policy}, the lowest mean completion time:` }),
      gantt(best, input.gpus) as unknown as HTMLElement,
    );
  } catch (error) {
    out.replaceChildren(el('p', { className: 'error', text: error instanceof Error ? error.message : String(error) }));
  }
}

function runRouting(text: string, out: HTMLElement): void {
  try {
    const input = JSON.parse(text) as { requestsPerSecond: number; requests?: number; replicas: Replica[] };
    if (!Array.isArray(input.replicas))
      throw new Error('Give "requestsPerSecond" and "replicas" (a list of {name, serviceRate}).');
    const requests = Math.min(200_000, input.requests ?? 50_000);
    const results = ROUTES.map((p) => simulateRouting(input.replicas, input.requestsPerSecond, requests, p, 1));
    out.replaceChildren(
      table(
        ['Routing', 'Mean', 'p50', 'p99', ...input.replicas.map((r) => `${r.name} busy`)],
        results.map((r) => [
          r.policy,
          `${r.meanLatency.toFixed(2)} s`,
          `${r.p50.toFixed(2)} s`,
          `${r.p99.toFixed(2)} s`,
          ...input.replicas.map((x) => `${((r.utilization[x.name] ?? 0) * 100).toFixed(0)} %`),
        ]),
        'routing-table',
      ),
      el('p', {
        className: 'explain',
        text: `${requests.toLocaleString('en-US')} requests, Poisson arrivals, exponential service at each replica's rate, seed 1.`,
      }),
    );
  } catch (error) {
    out.replaceChildren(el('p', { className: 'error', text: error instanceof Error ? error.message : String(error) }));
  }
}

export function renderSimulation(): HTMLElement {
  const jobsInput = textArea('Jobs on a GPU pool (JSON)', EXAMPLE_JOBS, 10);
  const routingInput = textArea('Replicas and load (JSON)', EXAMPLE_ROUTING, 6);
  const jobsOut = el('div', { id: 'jobs-result' });
  const routingOut = el('div', { id: 'routing-result' });
  const value = (e: HTMLElement) => (e as HTMLElement & { value?: string }).value ?? '';
  return el(
    'section',
    { className: 'card', id: 'simulation' },
    el('h2', { text: 'Simulation' }),
    jobsInput,
    el(
      'div',
      { className: 'row' },
      button('Simulate the queue', () => runJobs(value(jobsInput), jobsOut), 'secondary'),
    ),
    jobsOut,
    routingInput,
    el(
      'div',
      { className: 'row' },
      button('Simulate routing', () => runRouting(value(routingInput), routingOut), 'secondary'),
    ),
    routingOut,
  );
}
