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

/** Simulates until the measured requests finish; returns their throughput and latencies. */
export function simulateContinuousBatching(o: BatchingOptions): BatchingResult {
  const closed = o.load.kind === 'closed';
  const concurrency = o.load.kind === 'closed' ? o.load.concurrency : Infinity;
  const random = seededRandom(o.load.kind === 'open' ? (o.load.seed ?? 1) : 1);
  const rate = o.load.kind === 'open' ? o.load.requestsPerSecond : 0;
  const total =
    o.requests ?? (closed ? Math.max((o.quick ? 2 : 3) * concurrency, o.quick ? 16 : 40) : o.quick ? 80 : 600);
  const warm = o.requests !== undefined ? 0 : closed ? Math.min(concurrency, 200) : o.quick ? 15 : 100;
  const maxSteps = o.maxSteps ?? 400_000;
  const waiting: Request[] = [];
  const running: Request[] = [];
  let now = 0;
  let issued = 0;
  let nextArrival = 0;
  let kvUsed = 0;
  const newRequest = (arrival: number): Request => {
    issued++;
    return { arrival, prompt: o.inputTokens, prefilled: 0, generated: 0, firstToken: -1, kv: 0 };
  };
  // Closed-loop clients not yet started, latest first (arrival times ascending when popped).
  // Seeded uniform offsets over the stagger window: clients collide now and then, as real ones do.
  const starts: number[] = [];
  if (closed) {
    const window = (o.staggerSeconds ?? 0) * concurrency;
    for (let i = 0; i < Math.min(concurrency, total); i++) starts.push(i === 0 ? 0 : random() * window);
    starts.sort((x, y) => y - x);
  } else nextArrival = exponential(random, rate);
  // One buffer for every step's decode contexts: a step is simulated millions of times in a sweep.
  let contexts = new Float64Array(64);
  const contextsOf = (decoding: Request[]) => {
    if (contexts.length < decoding.length) contexts = new Float64Array(decoding.length * 2);
    for (let i = 0; i < decoding.length; i++) contexts[i] = o.inputTokens + decoding[i]!.generated;
    return contexts.subarray(0, decoding.length);
  };
  const ttfts: number[] = [];
  const tpots: number[] = [];
  const e2es: number[] = [];
  let finished = 0;
  let windowStart = warm === 0 ? 0 : -1;
  let windowTokens = 0;
  let windowEnd = 0;
  let decodeSum = 0;
  let steps = 0;
  let preemptions = 0;
  const footprint = (r: Request) => (o.reserveWholeRequest ? r.prompt + o.outputTokens : r.prompt);
  // A benchmark run stops sending at its request count; a steady state keeps every client busy.
  const mayIssue = () => o.requests === undefined || issued < total;
  const canAdmit = (r: Request) => running.length < o.maxRunning && kvUsed + footprint(r) <= o.kvCapacityTokens;
  // Reused every step (a sweep simulates millions of steps).
  const decoding: Request[] = [];
  const chunkOf: Request[] = [];
  const chunkTokens: number[] = [];
  const addChunk = (r: Request, tokens: number) => {
    chunkOf.push(r);
    chunkTokens.push(tokens);
  };
  while (finished < total && steps < maxSteps) {
    while (starts.length > 0 && starts.at(-1)! <= now) waiting.push(newRequest(starts.pop()!));
    if (!closed)
      while (mayIssue() && nextArrival <= now) {
        waiting.push(newRequest(nextArrival));
        nextArrival += exponential(random, rate);
      }
    if (running.length === 0 && waiting.length === 0) {
      if (closed && starts.length > 0) now = starts.at(-1)!;
      else if (closed || !mayIssue()) break;
      else now = nextArrival;
      continue;
    }
    // Decodes first; a decode that needs a block the cache lacks preempts the newest request.
    let budget = o.maxBatchedTokens;
    decoding.length = 0;
    chunkOf.length = 0;
    chunkTokens.length = 0;
    let partial = false;
    for (const r of running) if (r.prefilled < r.prompt) partial = true;
    const wantsPrefill = partial || (waiting.length > 0 && canAdmit(waiting[0]!));
    const decodeThisStep = o.mixedBatches || !wantsPrefill;
    if (decodeThisStep) {
      for (const r of running) if (r.prefilled >= r.prompt && budget > 0) decoding.push(r);
      if (!o.reserveWholeRequest) {
        while (kvUsed + decoding.length > o.kvCapacityTokens && running.length > 1) {
          const victim = running.pop()!;
          kvUsed -= victim.kv;
          victim.kv = 0;
          const at = decoding.indexOf(victim);
          if (at >= 0) decoding.splice(at, 1);
          // Recompute: the prompt and what was generated are prefilled again.
          victim.prompt = o.inputTokens + victim.generated;
          victim.prefilled = 0;
          waiting.unshift(victim);
          preemptions++;
        }
      }
      budget -= decoding.length;
    }
    if (o.mixedBatches || !decodeThisStep) {
      for (const r of running) {
        if (budget <= 0) break;
        if (r.prefilled < r.prompt) {
          const chunk = Math.min(budget, r.prompt - r.prefilled);
          addChunk(r, chunk);
          budget -= chunk;
        }
      }
      while (budget > 0 && waiting.length > 0 && canAdmit(waiting[0]!)) {
        const r = waiting.shift()!;
        if (o.reserveWholeRequest) {
          r.kv = r.prompt + o.outputTokens;
          kvUsed += r.kv;
        }
        running.push(r);
        const chunk = Math.min(budget, r.prompt);
        addChunk(r, chunk);
        budget -= chunk;
      }
    }
    let prefillTokens = 0;
    let prefillAttentionPairs = 0;
    for (let i = 0; i < chunkOf.length; i++) {
      const c = chunkTokens[i]!;
      prefillTokens += c;
      prefillAttentionPairs += c * (chunkOf[i]!.prefilled + c / 2);
    }
    const step: BatchStep = {
      decodeTokens: decoding.length,
      decodeContexts: contextsOf(decoding),
      prefillTokens,
      prefillAttentionPairs,
    };
    if (step.decodeTokens + step.prefillTokens === 0) {
      // Nothing fits: the head request can never be admitted.
      if (running.length === 0) break;
      continue;
    }
    now += o.stepSeconds(step);
    steps++;
    decodeSum += decoding.length;
    let emitted = 0;
    for (let i = 0; i < chunkOf.length; i++) {
      const r = chunkOf[i]!;
      const chunk = chunkTokens[i]!;
      r.prefilled += chunk;
      const grown = chunk + (r.prefilled >= r.prompt && r.generated === 0 ? 1 : 0);
      if (!o.reserveWholeRequest) {
        r.kv += grown;
        kvUsed += grown;
      }
      if (r.prefilled >= r.prompt && r.firstToken < 0) {
        r.firstToken = now;
        r.generated = 1;
        emitted++;
      }
    }
    for (const r of decoding) {
      r.generated++;
      emitted++;
      if (!o.reserveWholeRequest) {
        r.kv++;
        kvUsed++;
      }
    }
    if (windowStart >= 0) windowTokens += emitted;
    for (let i = running.length - 1; i >= 0; i--) {
      const r = running[i]!;
      if (r.prefilled < r.prompt || r.generated < o.outputTokens) continue;
      running.splice(i, 1);
      kvUsed -= r.kv;
      finished++;
      if (windowStart >= 0 && finished > warm) {
        ttfts.push(r.firstToken - r.arrival + o.serverOverheadS);
        tpots.push(o.outputTokens > 1 ? (now - r.firstToken) / (o.outputTokens - 1) : 0);
        e2es.push(now - r.arrival + o.serverOverheadS);
        windowEnd = now;
      }
      if (windowStart < 0 && finished >= warm) windowStart = now;
      if (closed && mayIssue()) waiting.push(newRequest(now));
    }
  }
  const duration = windowEnd - windowStart;
  const sorted = [...ttfts].sort((x, y) => x - y);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
  return {
    outputTokensPerSecond: duration > 0 ? windowTokens / duration : 0,
    requestsPerSecond: duration > 0 ? ttfts.length / duration : 0,
    tpotMs: mean(tpots) * 1000,
    ttftMs: {
      mean: mean(ttfts) * 1000,
      p50: percentile(sorted, 50) * 1000,
      p90: percentile(sorted, 90) * 1000,
      p99: percentile(sorted, 99) * 1000,
    },
    e2eMs: mean(e2es) * 1000,
    meanDecodeBatch: steps ? decodeSum / steps : 0,
    preemptions,
    measuredRequests: ttfts.length,
    steps,
    truncated: steps >= maxSteps,
  };
}
