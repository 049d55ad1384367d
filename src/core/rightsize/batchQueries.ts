/**
 * The right-sizer's queries for many workloads at once: one query per figure for a batch of up to a
 * hundred workloads of a kind, their pod names as one alternation (the controllers' patterns,
 * workloads.ts). Prometheus computes each pod's statistics over the window straight from its
 * samples (`max_over_time`, `quantile_over_time`, `count_over_time` on `[window]`; a subquery only
 * for the generation rate), so an answer is one number per pod, not a week of points; podWorkload
 * maps pods to workloads and the node layer adds them up:
 * - KV-cache peak and p95: the highest pod's (exact for the peak);
 * - summed KV use, running, waiting and generated tokens/s (p95): the sum of the pods' p95s: exact
 *   for a one-pod workload (the common case), equal to the p95 of the sum when the pods rise and
 *   fall together, and usually above it otherwise (quantiles do not add in general);
 * - GPU utilization: the mean of the GPUs' p95s.
 * Per-step aggregation across pods would need a subquery with `label_replace` at each of a week's
 * ten thousand steps: about 20 times the work (measured: 1.9 s against 0.08 s per hundred pods).
 * Latency percentiles are histogram_quantile over the workload's summed buckets, asked with
 * `label_replace` once (not per step). Metric names are those of queries.ts, with the same sources.
 * `quantile_over_time` interpolates between ranks (promql/quantile.go), where queries.ts
 * `quantile` takes the nearest rank.
 */
import type { Workload, WorkloadKind } from './workloads.ts';
import { podNameRegex, promqlPodRegex } from './workloads.ts';

const KV = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage'];
const RUNNING = ['vllm:num_requests_running', 'sglang:num_running_reqs', 'tgi_batch_current_size'];
const WAITING = ['vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'tgi_queue_size'];
const GENERATED = [
  'vllm:generation_tokens_total',
  'sglang:generation_tokens_total',
  'tgi_request_generated_tokens_sum',
];
const TPOT = [
  'vllm:time_per_output_token_seconds_bucket',
  'vllm:inter_token_latency_seconds_bucket',
  'sglang:inter_token_latency_seconds_bucket',
  'tgi_request_mean_time_per_token_duration_bucket',
];
const TTFT = ['vllm:time_to_first_token_seconds_bucket', 'sglang:time_to_first_token_seconds_bucket'];

/** Instant queries of one batch; each answers one series per pod (per GPU for DCGM), or per workload where said. */
export interface BatchQueries {
  kvPeak: string;
  /** Per series (SGLang reports one per rank): the highest is the workload's p95, their sum its summed use. */
  kvP95: string;
  runningP95: string;
  waitingP95: string;
  generationP95: string;
  /** Per GPU: labels exported_namespace/exported_pod or namespace/pod. */
  gpuUtilP95: string;
  /** Raw samples of running requests or KV use in the window: a pod with none did not report. */
  samples: string;
  /** Per (namespace, workload). */
  tpotP95: string;
  ttftP95: string;
  /** Per GPU with modelName / per pod with model_name. */
  gpuName: string;
  servedModel: string;
  /** Samples of running requests in the last hour: a workload without any is asked `lastSeen`. */
  recent: string;
  /** When each pod last reported (30 days, to the hour). */
  lastSeen: string;
}

/** Workloads of one kind in one batch (one pod-name alternation). */
export interface Batch {
  kind: WorkloadKind;
  workloads: Workload[];
}

/** Workloads split by kind into batches of at most `size` (a query stays a few KiB). */
export function batchesOf(workloads: readonly Workload[], size = 100): Batch[] {
  const byKind = new Map<WorkloadKind, Workload[]>();
  for (const w of workloads) byKind.set(w.kind, [...(byKind.get(w.kind) ?? []), w]);
  const out: Batch[] = [];
  for (const [kind, list] of byKind)
    for (let i = 0; i < list.length; i += size) out.push({ kind, workloads: list.slice(i, i + size) });
  return out;
}

const unique = (xs: string[]) => [...new Set(xs)].sort();

export function batchQueries(batch: Batch, window: string, stepS: number, rateWindow = '5m'): BatchQueries {
  const names = unique(batch.workloads.map((w) => w.name));
  const namespaces = unique(batch.workloads.map((w) => w.namespace));
  const podRe = promqlPodRegex(batch.kind, `(${names.join('|')})`);
  const ns = namespaces.length === 1 ? `namespace="${namespaces[0]}"` : `namespace=~"${namespaces.join('|')}"`;
  const sel = `${ns},pod=~"${podRe}"`;
  const exported = `exported_${ns},exported_pod=~"${podRe}"`;
  const each = (metrics: string[], wrap: (s: string) => string) =>
    metrics.map((m) => wrap(`${m}{${sel}}`)).join(' or ');
  const over = (fn: string) => (s: string) => `${fn}(${s}[${window}])`;
  const p95 = (s: string) => `quantile_over_time(0.95, ${s}[${window}])`;
  const pod = 'namespace, pod';
  const workload = 'namespace, workload';
  /** Each series with a `workload` label, once (not at every step): for the histograms. */
  const tagged = (metrics: string[], wrap: (s: string) => string) =>
    metrics.map((m) => `label_replace(${wrap(`${m}{${sel}}`)}, "workload", "$1", "pod", "${podRe}")`).join(' or ');
  const increase = over('increase');
  const last = over('last_over_time');
  return {
    kvPeak: `max by (${pod}) (${each(KV, over('max_over_time'))})`,
    kvP95: each(KV, p95),
    runningP95: `sum by (${pod}) (${each(RUNNING, p95)})`,
    waitingP95: `sum by (${pod}) (${each(WAITING, p95)})`,
    generationP95: `quantile_over_time(0.95, (sum by (${pod}) (${each(GENERATED, (s) => `rate(${s}[${rateWindow}])`)}))[${window}:${stepS}s])`,
    gpuUtilP95: `${p95(`DCGM_FI_DEV_GPU_UTIL{${exported}}`)} or ${p95(`DCGM_FI_DEV_GPU_UTIL{${sel}}`)}`,
    samples: `sum by (${pod}) (${each([...RUNNING, ...KV], over('count_over_time'))})`,
    tpotP95: `histogram_quantile(0.95, sum by (${workload}, le) (${tagged(TPOT, increase)}))`,
    ttftP95: `histogram_quantile(0.95, sum by (${workload}, le) (${tagged(TTFT, increase)}))`,
    gpuName: `count by (exported_namespace, exported_pod, namespace, pod, modelName) (${last(`DCGM_FI_DEV_GPU_UTIL{${exported}}`)} or ${last(`DCGM_FI_DEV_GPU_UTIL{${sel}}`)})`,
    servedModel: `count by (${pod}, model_name) (${each(RUNNING.slice(0, 2), last)})`,
    recent: `sum by (${pod}) (${each(RUNNING, (s) => `count_over_time(${s}[1h])`)})`,
    lastSeen: `max by (${pod}) (max_over_time(timestamp(${each(RUNNING, (s) => s)})[30d:1h]))`,
  };
}

/** The workload a pod belongs to among the batch's (the controllers' pod names, matched whole), if any. */
export function podWorkload(batch: Batch): (namespace: string, pod: string) => Workload | undefined {
  const byName = new Map(batch.workloads.map((w) => [workloadKey(w.namespace, w.name), w]));
  const names = unique(batch.workloads.map((w) => w.name));
  const whole = new RegExp(`^(?:${podNameRegex(batch.kind, `(${names.join('|')})`)})$`);
  return (namespace, pod) => {
    const m = whole.exec(pod);
    return m?.[1] === undefined ? undefined : byName.get(workloadKey(namespace, m[1]));
  };
}

/** The key an answer's series is matched back to its workload by. */
export function workloadKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}
