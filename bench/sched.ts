/** Simulation figures: 100,000 routed requests; a 1,000-job queue under every policy. */
import { simulateJobs, type Job } from '../src/core/sched/jobScheduling.ts';
import { simulateRouting } from '../src/core/sched/loadBalancing.ts';
import { seededRandom } from '../src/core/sched/random.ts';
import { median, type Row } from './report.ts';

export function schedRows(): Row[] {
  const replicas = Array.from({ length: 8 }, (_, i) => ({ name: `r${i}`, serviceRate: 1 + (i % 3) }));
  const times = (policy: Parameters<typeof simulateRouting>[3]) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      simulateRouting(replicas, 12, 100_000, policy, i + 1);
      runs.push(performance.now() - started);
    }
    return median(runs);
  };
  const random = seededRandom(5);
  const jobs: Job[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `j${i}`,
    arrival: i * 0.5,
    duration: 1 + Math.floor(random() * 20),
    gpus: 1 + Math.floor(random() * 4),
    priority: Math.floor(random() * 5),
  }));
  const jobTimes: number[] = [];
  for (const policy of ['fcfs', 'sjf', 'srtf', 'rr', 'priority'] as const) {
    const started = performance.now();
    simulateJobs(jobs, 8, policy, 2);
    jobTimes.push(performance.now() - started);
  }
  return [
    {
      figure: 'simulate 100,000 requests over 8 replicas, least-outstanding routing',
      value: times('least-outstanding'),
      unit: 'ms',
      baseline: 500,
      baselineNote: 'budget',
    },
    {
      figure: '  the same, weighted routing',
      value: times('weighted'),
      unit: 'ms',
      baseline: 500,
      baselineNote: 'budget',
    },
    {
      figure: 'a 1,000-job queue on 8 GPUs, slowest of the 5 policies',
      value: Math.max(...jobTimes),
      unit: 'ms',
      baseline: 500,
      baselineNote: 'budget (same as 100k requests)',
    },
  ];
}
