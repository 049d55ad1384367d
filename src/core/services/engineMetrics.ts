/**
 * A serving engine's own `/metrics` (Prometheus text exposition format 0.0.4) read into the figures
 * the Model services view shows. Names as the engines define them (see core/rightsize/queries.ts for
 * the sources): vLLM's old and new KV-cache and TPOT names, SGLang's, TGI's.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Past these, the rest of the answer is ignored (an engine's page is a few hundred lines). */
export const MAX_EXPOSITION_LINES = 50_000;
const MAX_LINE = 4096;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Samples of an exposition; comments, blank and malformed lines are skipped (line by line, linear). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  let start = 0;
  for (let n = 0; n < MAX_EXPOSITION_LINES && start < text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const tooLong = end - start > MAX_LINE;
    const line = text.slice(start, Math.min(end, start + MAX_LINE)).trim();
    start = end + 1;
    if (tooLong || line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/**
 * The q-quantile of a cumulative histogram as Prometheus's histogram_quantile computes it: linear
 * interpolation inside the bucket the rank falls in (the first bucket from 0); +Inf returns the
 * highest finite bound. Undefined with no observations.
 */
export function histogramQuantile(buckets: readonly { le: number; count: number }[], q: number): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0 || sorted.at(-1)!.le !== Infinity) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return undefined;
}

export type ServiceEngine = 'vllm' | 'sglang' | 'tgi';

/** What one engine's page says now. Counters are totals since start; rates come from two snapshots. */
export interface EngineSnapshot {
  engine?: ServiceEngine;
  model?: string;
  kvCacheUsage?: number;
  running?: number;
  waiting?: number;
  promptTokensTotal?: number;
  generationTokensTotal?: number;
  preemptionsTotal?: number;
  ttftSeconds?: { p50?: number; p95?: number };
  tpotSeconds?: { p50?: number; p95?: number };
  e2eSeconds?: { p50?: number; p95?: number };
}

function sum(samples: Sample[], names: readonly string[]): number | undefined {
  for (const name of names) {
    const found = samples.filter((s) => s.name === name);
    if (found.length > 0) return found.reduce((a, s) => a + s.value, 0);
  }
  return undefined;
}

function max(samples: Sample[], names: readonly string[]): number | undefined {
  for (const name of names) {
    const found = samples.filter((s) => s.name === name);
    if (found.length > 0) return Math.max(...found.map((s) => s.value));
  }
  return undefined;
}

/** p50 and p95 of the first histogram present, buckets summed over label sets (engines, ranks). */
function quantiles(samples: Sample[], names: readonly string[]): { p50?: number; p95?: number } | undefined {
  for (const name of names) {
    const byLe = new Map<number, number>();
    for (const s of samples) {
      if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le)) continue;
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
    if (byLe.size === 0) continue;
    const buckets = [...byLe].map(([le, count]) => ({ le, count }));
    return { p50: histogramQuantile(buckets, 0.5), p95: histogramQuantile(buckets, 0.95) };
  }
  return undefined;
}

export function engineSnapshot(samples: Sample[]): EngineSnapshot {
  const has = (prefix: string) => samples.some((s) => s.name.startsWith(prefix));
  const engine: ServiceEngine | undefined = has('vllm:')
    ? 'vllm'
    : has('sglang:')
      ? 'sglang'
      : has('tgi_')
        ? 'tgi'
        : undefined;
  const model = samples.find((s) => s.labels.model_name)?.labels.model_name;
  return {
    engine,
    model,
    kvCacheUsage: max(samples, ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage']),
    running: sum(samples, ['vllm:num_requests_running', 'sglang:num_running_reqs', 'tgi_batch_current_size']),
    waiting: sum(samples, ['vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'tgi_queue_size']),
    promptTokensTotal: sum(samples, [
      'vllm:prompt_tokens_total',
      'sglang:prompt_tokens_total',
      'tgi_request_input_length_sum',
    ]),
    generationTokensTotal: sum(samples, [
      'vllm:generation_tokens_total',
      'sglang:generation_tokens_total',
      'tgi_request_generated_tokens_sum',
    ]),
    preemptionsTotal: sum(samples, ['vllm:num_preemptions_total']),
    ttftSeconds: quantiles(samples, ['vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds']),
    tpotSeconds: quantiles(samples, [
      'vllm:inter_token_latency_seconds',
      'vllm:time_per_output_token_seconds',
      'sglang:inter_token_latency_seconds',
      'tgi_request_mean_time_per_token_duration',
    ]),
    e2eSeconds: quantiles(samples, [
      'vllm:e2e_request_latency_seconds',
      'sglang:e2e_request_latency_seconds',
      'tgi_request_duration',
    ]),
  };
}

/** A serving engine recognised on a command line: which, the model and the port of its /metrics. */
export interface RecognizedEngine {
  engine: ServiceEngine;
  model?: string;
  port: number;
}

/** Default ports: vLLM 8000, SGLang 30000, TGI 3000 (launcher's --port; metrics on the same server). */
const DEFAULT_PORT: Record<ServiceEngine, number> = { vllm: 8000, sglang: 30000, tgi: 3000 };

function flag(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n) return argv[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

/** `vllm serve M`, `python -m vllm.entrypoints.openai.api_server --model M`, `python -m sglang.launch_server`, `text-generation-launcher`. */
export function recognizeEngine(argv: readonly string[]): RecognizedEngine | undefined {
  const words = argv.slice(0, 400).map((w) => w.slice(0, 1000));
  const base = (w: string | undefined) => (w ?? '').split('/').pop() ?? '';
  let engine: ServiceEngine | undefined;
  let model: string | undefined;
  const serve = words.findIndex((w, i) => base(w) === 'vllm' && words[i + 1] === 'serve');
  if (serve >= 0) {
    engine = 'vllm';
    const next = words[serve + 2];
    model = next && !next.startsWith('-') ? next : flag(words, ['--model']);
  } else if (words.some((w) => w.startsWith('vllm.entrypoints'))) {
    engine = 'vllm';
    model = flag(words, ['--model']);
  } else if (words.some((w) => w === 'sglang.launch_server' || w.startsWith('sglang.launch_server'))) {
    engine = 'sglang';
    model = flag(words, ['--model-path', '--model']);
  } else if (words.some((w) => base(w) === 'text-generation-launcher' || base(w) === 'text-generation-router')) {
    engine = 'tgi';
    model = flag(words, ['--model-id']);
  }
  if (!engine) return undefined;
  const port = Number(flag(words, ['--port']) ?? DEFAULT_PORT[engine]);
  return {
    engine,
    ...(model ? { model } : {}),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_PORT[engine],
  };
}
