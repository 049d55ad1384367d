/**
 * One serving replica under continuous batching, step by step, as vLLM V1, SGLang and TensorRT-LLM
 * schedule: each step decodes one token for every running request and fills the rest of the token
 * budget with prefill chunks; requests are admitted while the KV cache and the batch cap allow; the
 * step's duration comes from the caller (a performance model). Load is closed (a fixed number of
 * clients, each sending its next request when the last one ends, as `--max-concurrency` does) or
 * open (Poisson arrivals), with a fixed number of requests measured as a benchmark run measures
 * them, or a steady state after a warm-up.
 */
import { exponential, percentile, seededRandom } from './random.ts';

export interface BatchStep {
  decodeTokens: number;
  /** Per decoding request, its context length in tokens (the caller turns them into KV bytes); valid during the call only. */
  decodeContexts: ArrayLike<number>;
  prefillTokens: number;
  /** Sum over prefill chunks of chunk x (tokens before it + chunk / 2). */
  prefillAttentionPairs: number;
}

export type BatchLoad =
  { kind: 'closed'; concurrency: number } | { kind: 'open'; requestsPerSecond: number; seed?: number };

export interface BatchingOptions {
  inputTokens: number;
  outputTokens: number;
  load: BatchLoad;
  /** Tokens the KV cache holds. */
  kvCapacityTokens: number;
  maxRunning: number;
  maxBatchedTokens: number;
  /** Prefill chunks ride with decodes (true) or run as separate steps first (false). */
  mixedBatches: boolean;
  /** Admit a request only if its prompt and whole output fit (no preemption). */
  reserveWholeRequest: boolean;
  /** Measure exactly this many requests from t = 0 (a benchmark run); otherwise a steady state. */
  requests?: number;
  stepSeconds: (step: BatchStep) => number;
  /** Seconds added to each request's first token outside the engine (HTTP, tokenizer). */
  serverOverheadS: number;
  /**
   * Closed loop: clients send their first requests at random times over `concurrency` x this
   * (seconds), so that a steady state is not a lock-step of identical requests that all start,
   * prefill and finish together.
   */
  staggerSeconds?: number;
  /** A shorter steady state (one batch of warm-up, one measured), for sweeps over many layouts. */
  quick?: boolean;
  /** Stop after this many steps (a guard; the result says it was cut). */
  maxSteps?: number;
}

export interface BatchingResult {
  outputTokensPerSecond: number;
  requestsPerSecond: number;
  tpotMs: number;
  ttftMs: { mean: number; p50: number; p90: number; p99: number };
  e2eMs: number;
  /** Mean requests decoding per step. */
  meanDecodeBatch: number;
  preemptions: number;
  measuredRequests: number;
  steps: number;
  truncated: boolean;
}

interface Request {
  arrival: number;
  prompt: number;
  prefilled: number;
  generated: number;
  firstToken: number;
  /** KV cache tokens it holds (or reserved, under reserveWholeRequest). */
  kv: number;
}

/** One KV block (vLLM's default block size) of decode growth kept free per running request on admission. */
export const GROWTH_HEADROOM_TOKENS = 16;

/** Simulates until the measured requests finish; returns their throughput and latencies. */
export function simulateContinuousBatching(o: BatchingOptions): BatchingResult {
  return new ReplicaRun(o).run();
}

/** Requests a step runs: decodes (one token each) and prefill chunks. Reused every step. */
interface StepPlan {
  decoding: Request[];
  chunkOf: Request[];
  chunkTokens: number[];
}

/** What the measured window saw. */
interface Window {
  start: number;
  end: number;
  tokens: number;
  ttfts: number[];
  tpots: number[];
  e2es: number[];
}

class ReplicaRun {
  private readonly closed: boolean;
  private readonly concurrency: number;
  private readonly random: () => number;
  private readonly rate: number;
  private readonly total: number;
  private readonly warm: number;
  private readonly maxSteps: number;
  private readonly waiting: Request[] = [];
  private readonly running: Request[] = [];
  /** Closed-loop clients not yet started, latest first (popped in ascending order). */
  private readonly starts: number[] = [];
  private readonly plan: StepPlan = { decoding: [], chunkOf: [], chunkTokens: [] };
  private readonly window: Window = { start: -1, end: 0, tokens: 0, ttfts: [], tpots: [], e2es: [] };
  private contexts = new Float64Array(64);
  private now = 0;
  private issued = 0;
  private nextArrival = 0;
  private kvUsed = 0;
  private finished = 0;
  private decodeSum = 0;
  private steps = 0;
  private preemptions = 0;

  constructor(private readonly o: BatchingOptions) {
    this.closed = o.load.kind === 'closed';
    this.concurrency = o.load.kind === 'closed' ? o.load.concurrency : Infinity;
    this.random = seededRandom(o.load.kind === 'open' ? (o.load.seed ?? 1) : 1);
    this.rate = o.load.kind === 'open' ? o.load.requestsPerSecond : 0;
    const { closed, concurrency } = this;
    this.total =
      o.requests ?? (closed ? Math.max((o.quick ? 2 : 3) * concurrency, o.quick ? 16 : 40) : o.quick ? 80 : 600);
    this.warm = o.requests !== undefined ? 0 : closed ? Math.min(concurrency, 200) : o.quick ? 15 : 100;
    this.maxSteps = o.maxSteps ?? 400_000;
    if (this.warm === 0) this.window.start = 0;
    // Seeded uniform offsets over the stagger window: clients collide now and then, as real ones do.
    if (closed) {
      const spread = (o.staggerSeconds ?? 0) * concurrency;
      for (let i = 0; i < Math.min(concurrency, this.total); i++)
        this.starts.push(i === 0 ? 0 : this.random() * spread);
      this.starts.sort((x, y) => y - x);
    } else this.nextArrival = exponential(this.random, this.rate);
  }

  run(): BatchingResult {
    while (this.finished < this.total && this.steps < this.maxSteps) {
      this.arrive();
      if (this.running.length === 0 && this.waiting.length === 0) {
        if (this.closed && this.starts.length > 0) this.now = this.starts.at(-1)!;
        else if (this.closed || !this.mayIssue()) break;
        else this.now = this.nextArrival;
        continue;
      }
      this.schedule();
      const step = this.stepOf();
      // Nothing could run (the head request can never be admitted): stop rather than spin.
      if (step.decodeTokens + step.prefillTokens === 0) break;
      this.now += this.o.stepSeconds(step);
      this.steps++;
      this.decodeSum += step.decodeTokens;
      this.advance();
      this.retire();
    }
    return this.result();
  }

  /** A benchmark run stops sending at its request count; a steady state keeps every client busy. */
  private mayIssue(): boolean {
    return this.o.requests === undefined || this.issued < this.total;
  }

  private newRequest(arrival: number): Request {
    this.issued++;
    return { arrival, prompt: this.o.inputTokens, prefilled: 0, generated: 0, firstToken: -1, kv: 0 };
  }

  private arrive(): void {
    while (this.starts.length > 0 && this.starts.at(-1)! <= this.now)
      this.waiting.push(this.newRequest(this.starts.pop()!));
    if (this.closed) return;
    while (this.mayIssue() && this.nextArrival <= this.now) {
      this.waiting.push(this.newRequest(this.nextArrival));
      this.nextArrival += exponential(this.random, this.rate);
    }
  }

  /**
   * Room for the request's prompt (its whole output too, under reserveWholeRequest) and, when blocks
   * are taken as tokens arrive, one more block of growth for every running request: without that
   * headroom a request freed by preemption is readmitted at once and preempted again every step.
   */
  private canAdmit(r: Request): boolean {
    const footprint = this.o.reserveWholeRequest
      ? r.prompt + this.o.outputTokens
      : r.prompt + GROWTH_HEADROOM_TOKENS * (this.running.length + 1);
    return this.running.length < this.o.maxRunning && this.kvUsed + footprint <= this.o.kvCapacityTokens;
  }

  /** Decodes first (preempting the newest request when a decode needs a block the cache lacks), then prefill chunks. */
  private schedule(): void {
    const { o, running, waiting, plan } = this;
    plan.decoding.length = 0;
    plan.chunkOf.length = 0;
    plan.chunkTokens.length = 0;
    let budget = o.maxBatchedTokens;
    const partial = running.some((r) => r.prefilled < r.prompt);
    const wantsPrefill = partial || (waiting.length > 0 && this.canAdmit(waiting[0]!));
    const decodeThisStep = o.mixedBatches || !wantsPrefill;
    if (decodeThisStep) {
      for (const r of running) if (r.prefilled >= r.prompt) plan.decoding.push(r);
      if (!o.reserveWholeRequest) this.preemptForDecodes();
      budget -= plan.decoding.length;
    }
    if (!o.mixedBatches && decodeThisStep) return;
    for (const r of running) {
      if (budget <= 0) break;
      if (r.prefilled < r.prompt) budget -= this.addChunk(r, Math.min(budget, r.prompt - r.prefilled));
    }
    while (budget > 0 && waiting.length > 0 && this.canAdmit(waiting[0]!)) {
      const r = waiting.shift()!;
      if (o.reserveWholeRequest) {
        r.kv = r.prompt + o.outputTokens;
        this.kvUsed += r.kv;
      }
      running.push(r);
      budget -= this.addChunk(r, Math.min(budget, r.prompt));
    }
  }

  private addChunk(r: Request, tokens: number): number {
    this.plan.chunkOf.push(r);
    this.plan.chunkTokens.push(tokens);
    return tokens;
  }

  /** Recompute preemption, as vLLM does: the newest request gives its blocks back and starts over. */
  private preemptForDecodes(): void {
    const { running, plan } = this;
    while (this.kvUsed + plan.decoding.length > this.o.kvCapacityTokens && running.length > 1) {
      const victim = running.pop()!;
      this.kvUsed -= victim.kv;
      victim.kv = 0;
      const at = plan.decoding.indexOf(victim);
      if (at >= 0) plan.decoding.splice(at, 1);
      // Its prompt and what it generated are prefilled again.
      victim.prompt = this.o.inputTokens + victim.generated;
      victim.prefilled = 0;
      this.waiting.unshift(victim);
      this.preemptions++;
    }
  }

  private stepOf(): BatchStep {
    const { decoding, chunkOf, chunkTokens } = this.plan;
    let prefillTokens = 0;
    let prefillAttentionPairs = 0;
    for (let i = 0; i < chunkOf.length; i++) {
      const c = chunkTokens[i]!;
      prefillTokens += c;
      prefillAttentionPairs += c * (chunkOf[i]!.prefilled + c / 2);
    }
    // One buffer for every step's decode contexts: a sweep simulates millions of steps.
    if (this.contexts.length < decoding.length) this.contexts = new Float64Array(decoding.length * 2);
    for (let i = 0; i < decoding.length; i++) this.contexts[i] = this.o.inputTokens + decoding[i]!.generated;
    return {
      decodeTokens: decoding.length,
      decodeContexts: this.contexts.subarray(0, decoding.length),
      prefillTokens,
      prefillAttentionPairs,
    };
  }

  /** The step's tokens: prefill chunks (a finished prompt emits its first token) and one token per decode. */
  private advance(): void {
    const { o, plan } = this;
    const track = !o.reserveWholeRequest;
    let emitted = 0;
    for (let i = 0; i < plan.chunkOf.length; i++) {
      const r = plan.chunkOf[i]!;
      const chunk = plan.chunkTokens[i]!;
      r.prefilled += chunk;
      const grown = chunk + (r.prefilled >= r.prompt && r.generated === 0 ? 1 : 0);
      if (track) {
        r.kv += grown;
        this.kvUsed += grown;
      }
      if (r.prefilled >= r.prompt && r.firstToken < 0) {
        r.firstToken = this.now;
        r.generated = 1;
        emitted++;
      }
    }
    for (const r of plan.decoding) {
      r.generated++;
      emitted++;
      if (track) {
        r.kv++;
        this.kvUsed++;
      }
    }
    if (this.window.start >= 0) this.window.tokens += emitted;
  }

  /** Finished requests leave (a closed-loop client sends its next one) and are measured inside the window. */
  private retire(): void {
    const { o, running, window } = this;
    for (let i = running.length - 1; i >= 0; i--) {
      const r = running[i]!;
      if (r.prefilled < r.prompt || r.generated < o.outputTokens) continue;
      running.splice(i, 1);
      this.kvUsed -= r.kv;
      this.finished++;
      if (window.start >= 0 && this.finished > this.warm) {
        window.ttfts.push(r.firstToken - r.arrival + o.serverOverheadS);
        window.tpots.push(o.outputTokens > 1 ? (this.now - r.firstToken) / (o.outputTokens - 1) : 0);
        window.e2es.push(this.now - r.arrival + o.serverOverheadS);
        window.end = this.now;
      }
      if (window.start < 0 && this.finished >= this.warm) window.start = this.now;
      if (this.closed && this.mayIssue()) this.waiting.push(this.newRequest(this.now));
    }
  }

  private result(): BatchingResult {
    const { window } = this;
    const duration = window.end - window.start;
    const sorted = [...window.ttfts].sort((x, y) => x - y);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
    return {
      outputTokensPerSecond: duration > 0 ? window.tokens / duration : 0,
      requestsPerSecond: duration > 0 ? window.ttfts.length / duration : 0,
      tpotMs: mean(window.tpots) * 1000,
      ttftMs: {
        mean: mean(window.ttfts) * 1000,
        p50: percentile(sorted, 50) * 1000,
        p90: percentile(sorted, 90) * 1000,
        p99: percentile(sorted, 99) * 1000,
      },
      e2eMs: mean(window.e2es) * 1000,
      meanDecodeBatch: this.steps ? this.decodeSum / this.steps : 0,
      preemptions: this.preemptions,
      measuredRequests: window.ttfts.length,
      steps: this.steps,
      truncated: this.steps >= this.maxSteps,
    };
  }
}
