/**
 * A job queue on a pool of identical GPUs, as a deterministic discrete-event simulation:
 * FCFS, SJF (non-preemptive), SRTF (preemptive), round robin with a quantum, and priority
 * (non-preemptive, lower number first). A job needs `gpus` GPUs at once. Ties go to the earlier
 * arrival, then the lower id.
 */
export type SchedulingPolicy = 'fcfs' | 'sjf' | 'srtf' | 'rr' | 'priority';

export interface Job {
  id: string;
  arrival: number;
  duration: number;
  gpus: number;
  priority: number;
}

export interface GanttSegment {
  job: string;
  /** GPU lanes the job ran on during this segment. */
  lanes: number[];
  start: number;
  end: number;
}

export interface ScheduleResult {
  policy: SchedulingPolicy;
  makespan: number;
  /** Time in the queue: completion - arrival - duration. */
  meanWait: number;
  /** Turnaround: completion - arrival. */
  meanCompletion: number;
  /** Busy GPU-time / (GPUs x makespan). */
  utilization: number;
  completions: Record<string, number>;
  gantt: GanttSegment[];
}

interface Running {
  job: Job;
  lanes: number[];
  start: number;
  remaining: number;
  sliceEnd: number;
}

export function simulateJobs(
  jobsIn: readonly Job[],
  gpus: number,
  policy: SchedulingPolicy,
  quantum = 1,
): ScheduleResult {
  const jobs = [...jobsIn].sort((a, b) => a.arrival - b.arrival || a.id.localeCompare(b.id));
  if (!Number.isInteger(gpus) || gpus < 1) throw new Error(`the pool needs a whole number of GPUs, not ${gpus}`);
  if (!(quantum > 0) || !Number.isFinite(quantum))
    throw new Error(`the quantum must be a positive number, not ${quantum}`);
  if (jobs.length > 100_000) throw new Error(`at most 100,000 jobs, not ${jobs.length}`);
  const bad = jobs.find(
    (j) =>
      !Number.isFinite(j.arrival) ||
      j.arrival < 0 ||
      !Number.isFinite(j.duration) ||
      j.duration <= 0 ||
      !Number.isInteger(j.gpus) ||
      !Number.isFinite(j.priority),
  );
  if (bad) throw new Error(`job ${bad.id}: arrival must be >= 0, duration > 0, gpus a whole number, priority a number`);
  const tooBig = jobs.find((j) => j.gpus > gpus || j.gpus < 1);
  if (tooBig) throw new Error(`job ${tooBig.id} needs ${tooBig.gpus} GPUs, the pool has ${gpus}`);
  const remaining = new Map(jobs.map((j) => [j.id, j.duration]));
  const order = new Map(jobs.map((j, i) => [j.id, i]));
  const completions: Record<string, number> = {};
  const gantt: GanttSegment[] = [];
  const free = Array.from({ length: gpus }, (_, i) => i);
  const ready: Job[] = [];
  const running: Running[] = [];
  let next = 0;
  let time = 0;
  // Round robin: the queue order is arrival into the ready list; others pick by key.
  const key = (j: Job): number[] => {
    switch (policy) {
      case 'sjf':
        return [j.duration, j.arrival, order.get(j.id)!];
      case 'srtf':
        return [remaining.get(j.id)!, j.arrival, order.get(j.id)!];
      case 'priority':
        return [j.priority, j.arrival, order.get(j.id)!];
      default:
        return [];
    }
  };
  const pick = (): number => {
    if (policy === 'fcfs' || policy === 'rr') return 0;
    let best = 0;
    for (let i = 1; i < ready.length; i++) {
      const a = key(ready[i]!);
      const b = key(ready[best]!);
      for (let k = 0; k < a.length; k++) {
        if (a[k]! !== b[k]!) {
          if (a[k]! < b[k]!) best = i;
          break;
        }
      }
    }
    return best;
  };
  const stop = (r: Running, at: number) => {
    if (at > r.start) gantt.push({ job: r.job.id, lanes: r.lanes, start: r.start, end: at });
    remaining.set(r.job.id, Math.max(0, r.remaining - (at - r.start)));
    free.push(...r.lanes);
    free.sort((a, b) => a - b);
  };
  let guard = 0;
  while (next < jobs.length || ready.length > 0 || running.length > 0) {
    if (++guard > 10_000_000) throw new Error('simulation did not finish');
    while (next < jobs.length && jobs[next]!.arrival <= time + 1e-12) ready.push(jobs[next++]!);
    // SRTF: a newly arrived shorter job preempts the longest-remaining running job.
    if (policy === 'srtf') {
      for (;;) {
        if (ready.length === 0 || running.length === 0) break;
        const candidate = ready[pick()]!;
        const worst = running.reduce((w, r) =>
          r.remaining - (time - r.start) > w.remaining - (time - w.start) ? r : w,
        );
        const worstLeft = worst.remaining - (time - worst.start);
        if (remaining.get(candidate.id)! < worstLeft - 1e-12 && free.length < candidate.gpus) {
          running.splice(running.indexOf(worst), 1);
          stop(worst, time);
          ready.push(worst.job);
        } else break;
      }
    }
    // Start what fits, in policy order (FCFS and priority do not skip a blocked head).
    for (;;) {
      if (ready.length === 0) break;
      const index = pick();
      const job = ready[index]!;
      if (job.gpus > free.length) break;
      ready.splice(index, 1);
      const lanes = free.splice(0, job.gpus);
      const left = remaining.get(job.id)!;
      running.push({
        job,
        lanes,
        start: time,
        remaining: left,
        sliceEnd: policy === 'rr' ? time + Math.min(quantum, left) : time + left,
      });
    }
    // Advance to the next event: a completion, a slice end, or an arrival.
    const nextArrival = next < jobs.length ? jobs[next]!.arrival : Infinity;
    const nextEnd = running.reduce((t, r) => Math.min(t, r.sliceEnd), Infinity);
    const at = Math.min(nextArrival, nextEnd);
    if (at === Infinity) break;
    time = Math.max(time, at);
    for (const r of running.slice()) {
      if (r.sliceEnd > time + 1e-12) continue;
      running.splice(running.indexOf(r), 1);
      stop(r, time);
      if (remaining.get(r.job.id)! <= 1e-12) completions[r.job.id] = time;
      else {
        // Round robin: arrivals at this instant queue before the preempted job.
        while (next < jobs.length && jobs[next]!.arrival <= time + 1e-12) ready.push(jobs[next++]!);
        ready.push(r.job);
      }
    }
  }
  const makespan = Math.max(0, ...Object.values(completions));
  const busy = jobs.reduce((sum, j) => sum + j.duration * j.gpus, 0);
  const turnaround = jobs.map((j) => completions[j.id]! - j.arrival);
  return {
    policy,
    makespan,
    meanWait:
      jobs.reduce((sum, j) => sum + (completions[j.id]! - j.arrival - j.duration), 0) / Math.max(1, jobs.length),
    meanCompletion: turnaround.reduce((a, b) => a + b, 0) / Math.max(1, jobs.length),
    utilization: makespan > 0 ? busy / (gpus * makespan) : 0,
    completions,
    gantt,
  };
}
