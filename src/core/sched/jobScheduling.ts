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

/** Times closer than this are the same instant: sums of durations are not exact in binary. */
const SAME_INSTANT = 1e-12;
/** A guard against a loop that never ends on input nobody foresaw; far above any real run. */
const MAX_EVENTS = 10_000_000;

/** Throws on input the simulation cannot run: a message naming the job or parameter. */
function validate(jobs: readonly Job[], gpus: number, quantum: number): void {
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
}

/** Compares two jobs by the policy's key, lexicographically; negative when `a` goes first. */
function compareKeys(a: number[], b: number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k]! !== b[k]!) return a[k]! - b[k]!;
  return 0;
}

/** One run of the simulation: the state of the queue, the GPUs and the clock, advanced event by event. */
class JobSimulation {
  private readonly remaining: Map<string, number>;
  private readonly order: Map<string, number>;
  readonly completions: Record<string, number> = {};
  readonly gantt: GanttSegment[] = [];
  private readonly free: number[];
  private readonly ready: Job[] = [];
  private readonly running: Running[] = [];
  private next = 0;
  private time = 0;

  constructor(
    private readonly jobs: readonly Job[],
    gpus: number,
    private readonly policy: SchedulingPolicy,
    private readonly quantum: number,
  ) {
    this.remaining = new Map(jobs.map((j) => [j.id, j.duration]));
    this.order = new Map(jobs.map((j, i) => [j.id, i]));
    this.free = Array.from({ length: gpus }, (_, i) => i);
  }

  run(): void {
    let events = 0;
    while (this.next < this.jobs.length || this.ready.length > 0 || this.running.length > 0) {
      if (++events > MAX_EVENTS) throw new Error('simulation did not finish');
      this.admitArrivals();
      if (this.policy === 'srtf') this.preemptForShorter();
      this.startWhatFits();
      if (!this.advance()) break;
    }
  }

  /** Round robin: the queue order is arrival into the ready list; the others pick by key. */
  private key(j: Job): number[] {
    switch (this.policy) {
      case 'sjf':
        return [j.duration, j.arrival, this.order.get(j.id)!];
      case 'srtf':
        return [this.remaining.get(j.id)!, j.arrival, this.order.get(j.id)!];
      case 'priority':
        return [j.priority, j.arrival, this.order.get(j.id)!];
      case 'fcfs':
      case 'rr':
        return [];
    }
  }

  /** Index in `ready` of the job the policy runs next. */
  private pick(): number {
    if (this.policy === 'fcfs' || this.policy === 'rr') return 0;
    let best = 0;
    for (let i = 1; i < this.ready.length; i++) {
      if (compareKeys(this.key(this.ready[i]!), this.key(this.ready[best]!)) < 0) best = i;
    }
    return best;
  }

  private admitArrivals(): void {
    while (this.next < this.jobs.length && this.jobs[this.next]!.arrival <= this.time + SAME_INSTANT)
      this.ready.push(this.jobs[this.next++]!);
  }

  private leftOf(r: Running): number {
    return r.remaining - (this.time - r.start);
  }

  /** SRTF: a waiting job shorter than the longest-remaining running one takes its GPUs. */
  private preemptForShorter(): void {
    while (this.ready.length > 0 && this.running.length > 0) {
      const candidate = this.ready[this.pick()]!;
      const worst = this.running.reduce((w, r) => (this.leftOf(r) > this.leftOf(w) ? r : w));
      const shorter = this.remaining.get(candidate.id)! < this.leftOf(worst) - SAME_INSTANT;
      if (!shorter || this.free.length >= candidate.gpus) return;
      this.running.splice(this.running.indexOf(worst), 1);
      this.stop(worst);
      this.ready.push(worst.job);
    }
  }

  /** Starts ready jobs in policy order while they fit (FCFS and priority do not skip a blocked head). */
  private startWhatFits(): void {
    while (this.ready.length > 0) {
      const index = this.pick();
      const job = this.ready[index]!;
      if (job.gpus > this.free.length) return;
      this.ready.splice(index, 1);
      const left = this.remaining.get(job.id)!;
      this.running.push({
        job,
        lanes: this.free.splice(0, job.gpus),
        start: this.time,
        remaining: left,
        sliceEnd: this.time + (this.policy === 'rr' ? Math.min(this.quantum, left) : left),
      });
    }
  }

  /** Moves the clock to the next completion, slice end or arrival; false when nothing is left to happen. */
  private advance(): boolean {
    const nextArrival = this.next < this.jobs.length ? this.jobs[this.next]!.arrival : Infinity;
    const at = this.running.reduce((t, r) => Math.min(t, r.sliceEnd), nextArrival);
    if (at === Infinity) return false;
    this.time = Math.max(this.time, at);
    for (const r of this.running.slice()) {
      if (r.sliceEnd > this.time + SAME_INSTANT) continue;
      this.running.splice(this.running.indexOf(r), 1);
      this.stop(r);
      if (this.remaining.get(r.job.id)! <= SAME_INSTANT) this.completions[r.job.id] = this.time;
      else {
        // Round robin: arrivals at this instant queue before the preempted job.
        this.admitArrivals();
        this.ready.push(r.job);
      }
    }
    return true;
  }

  private stop(r: Running): void {
    if (this.time > r.start) this.gantt.push({ job: r.job.id, lanes: r.lanes, start: r.start, end: this.time });
    this.remaining.set(r.job.id, Math.max(0, this.leftOf(r)));
    this.free.push(...r.lanes);
    this.free.sort((a, b) => a - b);
  }
}

export function simulateJobs(
  jobsIn: readonly Job[],
  gpus: number,
  policy: SchedulingPolicy,
  quantum = 1,
): ScheduleResult {
  const jobs = [...jobsIn].sort((a, b) => a.arrival - b.arrival || a.id.localeCompare(b.id));
  validate(jobs, gpus, quantum);
  const sim = new JobSimulation(jobs, gpus, policy, quantum);
  sim.run();
  const { completions, gantt } = sim;
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
