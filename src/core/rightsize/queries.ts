/**
 * The Prometheus queries behind right-sizing, and what their answers add up to.
 *
 * Engine metric names, each as the engine's own source defines it:
 * - vLLM (vllm/v1/metrics/loggers.py): `vllm:kv_cache_usage_perc` (0-1; before v0.10 named
 *   `vllm:gpu_cache_usage_perc`, both read), `vllm:num_requests_running`, `vllm:num_requests_waiting`,
 *   `vllm:generation_tokens_total`, histograms `vllm:time_to_first_token_seconds` and
 *   `vllm:time_per_output_token_seconds` (renamed `vllm:inter_token_latency_seconds`; both read).
 * - SGLang (sgl-project/sglang python/sglang/srt/metrics/collector.py, listed in
 *   docs/references/production_metrics.md): `sglang:token_usage` (KV pool use, 0-1),
 *   `sglang:num_running_reqs`, `sglang:num_queue_reqs`, `sglang:generation_tokens_total`,
 *   `sglang:time_to_first_token_seconds`, `sglang:inter_token_latency_seconds`.
 * - TGI (huggingface/text-generation-inference docs/source/reference/metrics.md):
 *   `tgi_batch_current_size`, `tgi_queue_size`, histogram `tgi_request_generated_tokens` (its sum
 *   counts tokens), `tgi_request_mean_time_per_token_duration`; TGI reports no KV-cache use.
 * - DCGM-exporter: `DCGM_FI_DEV_GPU_UTIL` (%), `DCGM_FI_DEV_FB_USED` (MiB). Scraped through a
 *   kube-prometheus ServiceMonitor, the exporter's own `namespace`/`pod` labels are the exporter
 *   pod's and the GPU's workload pod arrives as `exported_namespace`/`exported_pod`; with
 *   honorLabels it keeps `namespace`/`pod`. Both are read.
 */
import type { Workload } from './workloads.ts';
import { promqlPodRegex } from './workloads.ts';

function either(names: readonly string[], selector: string, wrap: (s: string) => string = (s) => s): string {
  return names.map((n) => wrap(`${n}{${selector}}`)).join(' or ');
}

/** Range (per-pod means per step) and instant (mean request lengths over the window) queries for calibration. */
export interface CalibrationQueries {
  runningPerPod: string;
  tokensPerSecondPerPod: string;
  inputTokens: string;
  outputTokens: string;
}

/**
 * Request lengths: vLLM's histograms `vllm:request_prompt_tokens` and `vllm:request_generation_tokens`
 * (vllm/v1/metrics/loggers.py, "Number of prefill/generation tokens processed", one observation per
 * finished request) and TGI's `tgi_request_input_length` and `tgi_request_generated_tokens`
 * (docs/source/reference/metrics.md); their sum over their count is the mean. SGLang exports no
 * per-request length histogram by default: its lengths are assumed.
 */
export function calibrationQueries(w: Workload, window: string, rateWindow = '5m'): CalibrationQueries {
  const sel = `namespace="${w.namespace}",pod=~"${promqlPodRegex(w.kind, w.name)}"`;
  const running = ['vllm:num_requests_running', 'sglang:num_running_reqs', 'tgi_batch_current_size'];
  const generated = [
    'vllm:generation_tokens_total',
    'sglang:generation_tokens_total',
    'tgi_request_generated_tokens_sum',
  ];
  const mean = (names: string[]) => {
    const inc = (suffix: string) =>
      either(
        names.map((n) => `${n}_${suffix}`),
        sel,
        (s) => `increase(${s}[${window}])`,
      );
    return `sum(${inc('sum')}) / sum(${inc('count')})`;
  };
  return {
    runningPerPod: `avg(sum by (namespace, pod) (${either(running, sel)}))`,
    tokensPerSecondPerPod: `avg(sum by (namespace, pod) (${either(generated, sel, (s) => `rate(${s}[${rateWindow}])`)}))`,
    inputTokens: mean(['vllm:request_prompt_tokens', 'tgi_request_input_length']),
    outputTokens: mean(['vllm:request_generation_tokens', 'tgi_request_generated_tokens']),
  };
}

/**
 * The namespaces whose pods carry this workload's pod names (over 30 days), for a manifest that
 * names no namespace: `kubectl apply -n` put it wherever the user said.
 */
export function namespacesQuery(w: Workload): string {
  const sel = `pod=~"${promqlPodRegex(w.kind, w.name)}"`;
  const names = ['vllm:num_requests_running', 'sglang:num_running_reqs', 'tgi_batch_current_size'];
  return `count by (namespace) (${either(names, sel, (s) => `last_over_time(${s}[30d])`)})`;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `7d`, `36h`, `90m` in seconds; undefined for anything else (no Go-duration compounds). */
export function windowSeconds(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,4})([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return seconds <= 90 * 86_400 ? seconds : undefined;
}

/** Prometheus refuses a range of more than 11,000 points: a step that keeps a window under 10,000, at least 60 s. */
export function stepSeconds(window: number): number {
  return Math.max(60, Math.ceil(window / 10_000));
}

/** The q-quantile of samples (nearest rank, as `quantile_over_time` is not: exact ranks keep tests hand-checkable). */
export function quantile(values: readonly number[], q: number): number | undefined {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * finite.length));
  return finite[rank - 1];
}

export function peak(values: readonly number[]): number | undefined {
  let max: number | undefined;
  for (const v of values) if (Number.isFinite(v) && (max === undefined || v > max)) max = v;
  return max;
}

/** What was observed of one workload over the window. */
export interface Observed {
  samples: number;
  pods: number;
  kvPeak?: number;
  kvP95?: number;
  /** p95 over time of the pods' summed KV use (pod-equivalents). */
  kvSumP95?: number;
  runningP95?: number;
  waitingP95?: number;
  generationTokensPerSecondP95?: number;
  gpuUtilP95?: number;
  tpotP95Ms?: number;
  ttftP95Ms?: number;
  /** DCGM's `modelName` of the workload's GPUs (for a manifest that names no GPU type). */
  gpuName?: string;
  /** The engine's `model_name` label (for a manifest whose model is a variable). */
  servedModel?: string;
}

/**
 * Values per step and instant figures into an observation. The right-sizer asks Prometheus for the
 * statistics themselves (batchQueries.ts, `quantile_over_time`); this builds one from series at
 * hand (nearest-rank percentiles), as the recommendation tests do.
 */
export function observe(
  range: Partial<Record<'kvMax' | 'kvSum' | 'running' | 'waiting' | 'generationRate' | 'gpuUtil', number[]>>,
  instant: Partial<Record<'tpotP95' | 'ttftP95' | 'pods', number>>,
  labels: { gpuName?: string; servedModel?: string } = {},
): Observed {
  const ms = (s: number | undefined) => (s !== undefined && Number.isFinite(s) ? s * 1000 : undefined);
  return {
    samples: Math.max(range.running?.length ?? 0, range.kvMax?.length ?? 0),
    pods: instant.pods ?? 0,
    kvPeak: peak(range.kvMax ?? []),
    kvP95: quantile(range.kvMax ?? [], 0.95),
    kvSumP95: quantile(range.kvSum ?? [], 0.95),
    runningP95: quantile(range.running ?? [], 0.95),
    waitingP95: quantile(range.waiting ?? [], 0.95),
    generationTokensPerSecondP95: quantile(range.generationRate ?? [], 0.95),
    gpuUtilP95: quantile(range.gpuUtil ?? [], 0.95),
    tpotP95Ms: ms(instant.tpotP95),
    ttftP95Ms: ms(instant.ttftP95),
    ...(labels.gpuName ? { gpuName: labels.gpuName.slice(0, 200) } : {}),
    ...(labels.servedModel ? { servedModel: labels.servedModel.slice(0, 300) } : {}),
  };
}
