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
  /** Sum over decoding requests of their context length in tokens (prompt + generated so far). */
  decodeContextTokens: number;
  /**
   * The same sum with each context capped at `slidingWindowTokens` (what sliding-window layers
   * keep); equal to `decodeContextTokens` when there is no window.
   */
  decodeWindowedContextTokens: number;
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
  /** Sliding-window layers keep this many tokens (see BatchStep.decodeWindowedContextTokens). */
  slidingWindowTokens?: number;
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
  /** Tokens generated; while decoding it is `decodeSteps + base` (see ReplicaRun). */
  generated: number;
  firstToken: number;
  /** KV cache tokens it holds while prefilling, or reserved under reserveWholeRequest. */
  kv: number;
  /** Position in the running order (admission order; a preempted request is re-admitted at the end). */
  seq: number;
  decoding: boolean;
  /** While decoding: generated = decodeSteps + base. */
  base: number;
  /** While decoding: its context is still under the sliding window. */
  underWindow: boolean;
  /** Bumped when it leaves the decoding set: heap entries of an older epoch are stale. */
  epoch: number;
  running: boolean;
}

/** One KV block (vLLM's default block size) of decode growth kept free per running request on admission. */
export const GROWTH_HEADROOM_TOKENS = 16;

/** Simulates until the measured requests finish; returns their throughput and latencies. */
export function simulateContinuousBatching(o: BatchingOptions): BatchingResult {
  return new ReplicaRun(o).run();
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

/** A min-heap of (decode step, request) events; an entry whose request moved on (epoch) is skipped. */
class EventHeap {
  private readonly keys: number[] = [];
  private readonly items: Request[] = [];
  private readonly epochs: number[] = [];

  push(key: number, r: Request): void {
    const { keys, items, epochs } = this;
    let i = keys.length;
    keys.push(key);
    items.push(r);
    epochs.push(r.epoch);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      items[i] = items[parent]!;
      epochs[i] = epochs[parent]!;
      i = parent;
    }
    keys[i] = key;
    items[i] = r;
    epochs[i] = r.epoch;
  }

  /** The smallest key (possibly of a stale entry: a bound, not an event), Infinity when empty. */
  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0]! : Infinity;
  }

  /** The next live request whose key is at most `limit`, removed; undefined when there is none. */
  popUpTo(limit: number): Request | undefined {
    while (this.keys.length > 0 && this.keys[0]! <= limit) {
      const r = this.items[0]!;
      const live = this.epochs[0] === r.epoch;
      this.removeTop();
      if (live) return r;
    }
    return undefined;
  }

  private removeTop(): void {
    const { keys, items, epochs } = this;
    const key = keys.pop()!;
    const item = items.pop()!;
    const epoch = epochs.pop()!;
    const n = keys.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && keys[l + 1]! < keys[l]! ? l + 1 : l;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      items[i] = items[c]!;
      epochs[i] = epochs[c]!;
      i = c;
    }
    keys[i] = key;
    items[i] = item;
    epochs[i] = epoch;
  }
}

/** A queue with cheap removal at the front and re-insertion at the front (a preempted request). */
class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  push(x: T): void {
    this.items.push(x);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  unshift(x: T): void {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
  }
}

/**
 * The replica, step by step. Every decoding request gains one token per decode step, so instead of
 * touching each of them every step the run keeps a decode-step counter and sums over the decoding
 * set (count, contexts, contexts under the sliding window), and finds the next finish and the next
 * context to outgrow the window from two heaps: a step costs O(prefill chunks), not O(batch).
 */
class ReplicaRun {
  private readonly closed: boolean;
  private readonly concurrency: number;
  private readonly random: () => number;
  private readonly rate: number;
  private readonly total: number;
  private readonly warm: number;
  private readonly maxSteps: number;
  private readonly window: Window = { start: -1, end: 0, tokens: 0, ttfts: [], tpots: [], e2es: [] };
  private readonly waiting = new Deque<Request>();
  /** Running requests in running order; a retired one stays until compaction (see `running` flag). */
  private runningList: Request[] = [];
  private runningCount = 0;
  /** Running requests still prefilling, in running order. */
  private prefilling: Request[] = [];
  /** Closed-loop clients not yet started, latest first (popped in ascending order). */
  private readonly starts: number[] = [];
  private readonly chunkOf: Request[] = [];
  private readonly chunkTokens: number[] = [];
  private readonly finishes = new EventHeap();
  /** Requests finishing this step (reused). */
  private readonly done: Request[] = [];
  private readonly crossings = new EventHeap();
  private readonly slidingWindow: number;
  /** Decode steps so far. */
  private decodeSteps = 0;
  /** The decoding set: its size, the sum of (input + base), and the same over those under the window. */
  private decodingCount = 0;
  private decodingBase = 0;
  private underWindowCount = 0;
  private underWindowBase = 0;
  private nextSeq = 0;
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
    this.slidingWindow = o.slidingWindowTokens ?? Infinity;
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
      if (this.runningCount === 0 && this.waiting.length === 0) {
        if (this.closed && this.starts.length > 0) this.now = this.starts.at(-1)!;
        else if (this.closed || !this.mayIssue()) break;
        else this.now = this.nextArrival;
        continue;
      }
      if (this.decodeOnlyRun()) continue;
      const decodes = this.schedule();
      const step = this.stepOf(decodes);
      // Nothing could run (the head request can never be admitted): stop rather than spin.
      if (step.decodeTokens + step.prefillTokens === 0) break;
      this.now += this.o.stepSeconds(step);
      this.steps++;
      this.decodeSum += step.decodeTokens;
      this.advance(decodes);
      this.retire();
    }
    return this.result();
  }

  /**
   * Steps in which nothing but the same decoding set decodes (no prompt to prefill or admit, nobody
   * finishing, no context reaching the window, no preemption, no arrival yet) differ only by one
   * token of context each: run them here without scheduling. The same steps, in the same order,
   * as the general path takes; returns whether any ran.
   */
  private decodeOnlyRun(): boolean {
    const { o } = this;
    const n = this.decodingCount;
    if (n === 0 || this.prefilling.length > 0) return false;
    if (this.waiting.length > 0 && this.canAdmit(this.waiting.first()!)) return false;
    // The step that finishes a request, or takes a context past the window, runs on the general path.
    let last = Math.min(this.finishes.peekKey() - 1, this.crossings.peekKey()) - 1;
    if (!o.reserveWholeRequest)
      last = Math.min(last, this.decodeSteps + Math.floor((o.kvCapacityTokens - this.kvUsed) / n) - 1);
    last = Math.min(last, this.decodeSteps + (this.maxSteps - this.steps) - 1);
    const nextStart = this.starts.length > 0 ? this.starts.at(-1)! : Infinity;
    const nextArrival = !this.closed && this.mayIssue() ? this.nextArrival : Infinity;
    const windowed = this.slidingWindow !== Infinity;
    const step: BatchStep = {
      decodeTokens: n,
      decodeContextTokens: 0,
      decodeWindowedContextTokens: 0,
      prefillTokens: 0,
      prefillAttentionPairs: 0,
    };
    const startSteps = this.steps;
    while (this.decodeSteps <= last && this.now < nextStart && this.now < nextArrival) {
      const d = this.decodeSteps;
      step.decodeContextTokens = this.decodingBase + n * d;
      step.decodeWindowedContextTokens = windowed
        ? this.underWindowBase + this.underWindowCount * d + (n - this.underWindowCount) * this.slidingWindow
        : step.decodeContextTokens;
      this.now += o.stepSeconds(step);
      this.steps++;
      this.decodeSum += n;
      this.decodeSteps++;
      if (!o.reserveWholeRequest) this.kvUsed += n;
      if (this.window.start >= 0) this.window.tokens += n;
    }
    return this.steps > startSteps;
  }

  /** A benchmark run stops sending at its request count; a steady state keeps every client busy. */
  private mayIssue(): boolean {
    return this.o.requests === undefined || this.issued < this.total;
  }

  private newRequest(arrival: number): Request {
    this.issued++;
    return {
      arrival,
      prompt: this.o.inputTokens,
      prefilled: 0,
      generated: 0,
      firstToken: -1,
      kv: 0,
      seq: 0,
      decoding: false,
      base: 0,
      underWindow: false,
      epoch: 0,
      running: false,
    };
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
      : r.prompt + GROWTH_HEADROOM_TOKENS * (this.runningCount + 1);
    return this.runningCount < this.o.maxRunning && this.kvUsed + footprint <= this.o.kvCapacityTokens;
  }

  /**
   * Decodes first (preempting the newest request when a decode needs a block the cache lacks), then
   * prefill chunks. Returns whether the decoding set decodes this step.
   */
  private schedule(): boolean {
    const { o, waiting } = this;
    this.chunkOf.length = 0;
    this.chunkTokens.length = 0;
    let budget = o.maxBatchedTokens;
    const wantsPrefill = this.prefilling.length > 0 || (waiting.length > 0 && this.canAdmit(waiting.first()!));
    const decodeThisStep = o.mixedBatches || !wantsPrefill;
    if (decodeThisStep) {
      if (!o.reserveWholeRequest) this.preemptForDecodes();
      budget -= this.decodingCount;
    }
    if (!o.mixedBatches && decodeThisStep) return true;
    for (const r of this.prefilling) {
      if (budget <= 0) break;
      budget -= this.addChunk(r, Math.min(budget, r.prompt - r.prefilled));
    }
    while (budget > 0 && waiting.length > 0 && this.canAdmit(waiting.first()!)) {
      const r = waiting.shift()!;
      if (o.reserveWholeRequest) {
        r.kv = r.prompt + o.outputTokens;
        this.kvUsed += r.kv;
      }
      r.seq = this.nextSeq++;
      r.running = true;
      this.runningList.push(r);
      this.runningCount++;
      this.prefilling.push(r);
      budget -= this.addChunk(r, Math.min(budget, r.prompt));
    }
    return decodeThisStep;
  }

  private addChunk(r: Request, tokens: number): number {
    this.chunkOf.push(r);
    this.chunkTokens.push(tokens);
    return tokens;
  }

  /** The newest running request, taken out of the running order. */
  private popNewest(): Request {
    for (;;) {
      const r = this.runningList.pop()!;
      if (r.running) return r;
    }
  }

  /** Recompute preemption, as vLLM does: the newest request gives its blocks back and starts over. */
  private preemptForDecodes(): void {
    while (this.kvUsed + this.decodingCount > this.o.kvCapacityTokens && this.runningCount > 1) {
      const victim = this.popNewest();
      victim.running = false;
      this.runningCount--;
      this.kvUsed -= this.kvOf(victim);
      if (victim.decoding) this.leaveDecoding(victim);
      else this.prefilling.splice(this.prefilling.lastIndexOf(victim), 1);
      victim.kv = 0;
      // Its prompt and what it generated are prefilled again.
      victim.prompt = this.o.inputTokens + victim.generated;
      victim.prefilled = 0;
      this.waiting.unshift(victim);
      this.preemptions++;
    }
  }

  /** KV tokens a running request holds: while decoding (blocks taken as tokens arrive), its whole context. */
  private kvOf(r: Request): number {
    return r.decoding && !this.o.reserveWholeRequest ? this.o.inputTokens + this.decodeSteps + r.base : r.kv;
  }

  private enterDecoding(r: Request): void {
    r.decoding = true;
    r.base = r.generated - this.decodeSteps;
    const q = this.o.inputTokens + r.base;
    this.decodingCount++;
    this.decodingBase += q;
    this.finishes.push(this.o.outputTokens - r.base, r);
    r.underWindow = q + this.decodeSteps < this.slidingWindow;
    if (r.underWindow) {
      this.underWindowCount++;
      this.underWindowBase += q;
      this.crossings.push(this.slidingWindow - q, r);
    }
  }

  /** Takes a request out of the decoding set, with its generated count made explicit. */
  private leaveDecoding(r: Request): void {
    const q = this.o.inputTokens + r.base;
    r.generated = this.decodeSteps + r.base;
    r.decoding = false;
    r.epoch++;
    this.decodingCount--;
    this.decodingBase -= q;
    if (r.underWindow) {
      this.underWindowCount--;
      this.underWindowBase -= q;
      r.underWindow = false;
    }
  }

  private stepOf(decodes: boolean): BatchStep {
    let prefillTokens = 0;
    let prefillAttentionPairs = 0;
    for (let i = 0; i < this.chunkOf.length; i++) {
      const c = this.chunkTokens[i]!;
      prefillTokens += c;
      prefillAttentionPairs += c * (this.chunkOf[i]!.prefilled + c / 2);
    }
    if (!decodes)
      return {
        decodeTokens: 0,
        decodeContextTokens: 0,
        decodeWindowedContextTokens: 0,
        prefillTokens,
        prefillAttentionPairs,
      };
    // Contexts that reached the window count as the window from now on.
    const d = this.decodeSteps;
    for (let r = this.crossings.popUpTo(d); r; r = this.crossings.popUpTo(d)) {
      r.underWindow = false;
      this.underWindowCount--;
      this.underWindowBase -= this.o.inputTokens + r.base;
    }
    const contexts = this.decodingBase + this.decodingCount * d;
    const windowed =
      this.underWindowBase +
      this.underWindowCount * d +
      (this.decodingCount - this.underWindowCount) * (this.slidingWindow === Infinity ? 0 : this.slidingWindow);
    return {
      decodeTokens: this.decodingCount,
      decodeContextTokens: contexts,
      decodeWindowedContextTokens: this.slidingWindow === Infinity ? contexts : windowed,
      prefillTokens,
      prefillAttentionPairs,
    };
  }

  /** The step's tokens: prefill chunks (a finished prompt emits its first token) and one token per decode. */
  private advance(decodes: boolean): void {
    const { o } = this;
    const track = !o.reserveWholeRequest;
    let emitted = 0;
    let prefillDone = false;
    for (let i = 0; i < this.chunkOf.length; i++) {
      const r = this.chunkOf[i]!;
      const chunk = this.chunkTokens[i]!;
      r.prefilled += chunk;
      const done = r.prefilled >= r.prompt;
      const grown = chunk + (done && r.generated === 0 ? 1 : 0);
      if (track) {
        r.kv += grown;
        this.kvUsed += grown;
      }
      if (done && r.firstToken < 0) {
        r.firstToken = this.now;
        r.generated = 1;
        emitted++;
      }
      prefillDone ||= done;
    }
    if (decodes && this.decodingCount > 0) {
      this.decodeSteps++;
      emitted += this.decodingCount;
      if (track) this.kvUsed += this.decodingCount;
    }
    // Prompts finished this step decode from the next one.
    if (prefillDone) {
      const still: Request[] = [];
      for (const r of this.prefilling) {
        if (r.prefilled < r.prompt) still.push(r);
        else this.enterDecoding(r);
      }
      this.prefilling = still;
    }
    if (this.window.start >= 0) this.window.tokens += emitted;
  }

  /** Finished requests leave (a closed-loop client sends its next one) and are measured inside the window. */
  private retire(): void {
    const { o, window } = this;
    const done = this.done;
    done.length = 0;
    for (let r = this.finishes.popUpTo(this.decodeSteps); r; r = this.finishes.popUpTo(this.decodeSteps)) done.push(r);
    if (done.length === 0) return;
    // Newest first, as they stood in the running order.
    if (done.length > 1) done.sort((x, y) => y.seq - x.seq);
    for (const r of done) {
      this.kvUsed -= this.kvOf(r);
      this.leaveDecoding(r);
      r.running = false;
      this.runningCount--;
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
    if (this.runningList.length > 2 * this.runningCount + 64)
      this.runningList = this.runningList.filter((r) => r.running);
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
