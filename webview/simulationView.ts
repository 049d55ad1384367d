/**
 * Simulation, run in the page itself (the simulators are pure and take milliseconds): a job
 * queue under every scheduling policy with a Gantt chart, and request routing with latency
 * percentiles per policy.
 */
import { simulateJobs, type Job, type ScheduleResult, type SchedulingPolicy } from '../src/core/sched/jobScheduling.ts';
import { simulateRouting, type Replica, type RoutingPolicy } from '../src/core/sched/loadBalancing.ts';
import { chart, colorAt, horizontalAxis, svg, text, titled } from './charts.ts';
import { formatTick, ticks } from './scale.ts';
import { button, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';
import { overloadOf } from './routingVerdict.ts';

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
/**
 * The Gantt chart: one lane per GPU, time in hours along a scaled axis, and a legend that names
 * every job's colour.
 */
function gantt(result: ScheduleResult, gpus: number): HTMLElement {
  const width = 640;
  const lane = 22;
  const left = 60;
  const right = 14;
  const axisY = gpus * lane + 4;
  const tickValues = ticks(result.makespan, 8);
  const max = tickValues.at(-1) ?? result.makespan;
  const at = (t: number) => left + (t / Math.max(1e-9, max)) * (width - left - right);
  const jobs = [...new Set(result.gantt.map((s) => s.job))];
  const root = chart(
    width,
    axisY + 34,
    `Gantt chart of ${result.policy}: jobs on ${gpus} GPUs over ${result.makespan} hours`,
    'gantt',
  );
  horizontalAxis(root, {
    x0: left,
    x1: width - right,
    y: axisY,
    top: 0,
    values: tickValues,
    max,
    title: 'Time (hours)',
  });
  for (let g = 0; g < gpus; g++) root.append(text(0, g * lane + 15, `GPU ${g}`));
  for (const segment of result.gantt) {
    for (const l of segment.lanes) {
      root.append(
        titled(
          svg('rect', {
            x: at(segment.start),
            y: l * lane + 3,
            width: Math.max(1, at(segment.end) - at(segment.start) - 1),
            height: lane - 6,
            fill: colorAt(jobs.indexOf(segment.job)),
          }),
          `${segment.job}: hour ${segment.start} to ${segment.end}`,
        ),
      );
    }
  }
  const legend = el(
    'div',
    { className: 'legend-inline', id: 'gantt-legend' },
    ...jobs.map((job, i) => {
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = colorAt(i);
      return el('span', { className: 'legend-item' }, swatch, el('span', { text: job }));
    }),
  );
  return el('div', {}, root as unknown as HTMLElement, legend);
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
        ['Policy', 'Makespan (h)', 'Mean wait (h)', 'Mean completion (h)', 'GPU utilization'],
        results.map((r) => [
          r.policy,
          r.makespan.toFixed(1),
          r.meanWait.toFixed(2),
          r.meanCompletion.toFixed(2),
          `${(r.utilization * 100).toFixed(0)} %`,
        ]),
        'jobs-table',
      ),
      el('p', {
        className: 'explain',
        text: `Gantt chart of ${best.policy}, the lowest mean completion time (arrivals and durations in hours):`,
      }),
      gantt(best, input.gpus),
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
    const capacity = input.replicas.reduce((sum, r) => sum + r.serviceRate, 0);
    out.replaceChildren(
      el('p', {
        id: 'routing-load',
        className: input.requestsPerSecond >= capacity ? 'error' : 'explain',
        text:
          input.requestsPerSecond >= capacity
            ? `Overloaded: ${formatTick(input.requestsPerSecond)} requests/s arrive and the replicas serve at most ${formatTick(capacity)} requests/s together; queues grow for as long as the run lasts, so the latencies below are of this run's length, not a steady state.`
            : `${formatTick(input.requestsPerSecond)} requests/s arrive; the replicas serve ${formatTick(capacity)} requests/s together (${((input.requestsPerSecond / capacity) * 100).toFixed(0)} % load).`,
      }),
      table(
        [
          'Routing',
          'Mean latency (s)',
          'p50 (s)',
          'p99 (s)',
          ...input.replicas.map((r) => `${r.name} busy`),
          'Verdict',
        ],
        results.map((r) => [
          r.policy,
          r.meanLatency.toFixed(2),
          r.p50.toFixed(2),
          r.p99.toFixed(2),
          ...input.replicas.map((x) => `${((r.utilization[x.name] ?? 0) * 100).toFixed(0)} %`),
          overloadOf(r.policy, input.replicas, input.requestsPerSecond) ?? 'keeps up',
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
  const jobsInput = textArea(
    'Jobs on a GPU pool (JSON; arrival and duration in hours, gpus per job, lower priority first)',
    EXAMPLE_JOBS,
    12,
  );
  const routingInput = textArea(
    'Replicas and load (JSON; requestsPerSecond arriving, serviceRate in requests/s per replica)',
    EXAMPLE_ROUTING,
    10,
  );
  jobsInput.classList.add('wide');
  routingInput.classList.add('wide');
  const jobsOut = el('div', { id: 'jobs-result' });
  const routingOut = el('div', { id: 'routing-result' });
  const value = (e: HTMLElement) => (e as HTMLElement & { value?: string }).value ?? '';
  return el(
    'section',
    { className: 'card', id: 'simulation' },
    el('h2', { text: 'Simulation' }),
    el('h3', { text: 'A job queue under each scheduling policy' }),
    jobsInput,
    el(
      'div',
      { className: 'row' },
      button('Simulate the queue', () => runJobs(value(jobsInput), jobsOut), 'secondary'),
    ),
    jobsOut,
    el('h3', { text: 'Requests routed across replicas' }),
    routingInput,
    el(
      'div',
      { className: 'row' },
      button('Simulate routing', () => runRouting(value(routingInput), routingOut), 'secondary'),
    ),
    routingOut,
  );
}
