/**
 * The right-sizer's queries for many workloads at once. One query per figure for a whole batch:
 * each series' pod is mapped to its workload in PromQL (`label_replace` with the controllers' pod
 * name patterns, workloads.ts, as one alternation), aggregated `by (namespace, workload)`, and the
 * window's statistics are taken in Prometheus with subqueries (`max_over_time`,
 * `quantile_over_time`, `count_over_time` over `[window:step]`), so an answer is one number per
 * workload, not a week of points. Metric names are those of queries.ts, with the same sources.
 *
 * `quantile_over_time` interpolates between ranks (promql/quantile.go, as `quantile`), where
 * queries.ts `quantile` takes the nearest rank: on a week of one-minute steps the two differ by
 * less than the spacing of neighbouring samples.
 */
import type { Workload, WorkloadKind } from './workloads.ts';
import { podNameRegex } from './workloads.ts';

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

/** Instant queries of one batch; each answers one series per (namespace, workload). */
export interface BatchQueries {
  kvPeak: string;
  kvP95: string;
  kvSumP95: string;
  runningP95: string;
  waitingP95: string;
  generationP95: string;
  gpuUtilP95: string;
  /** Steps of the window with a running (or KV) sample: queries.ts `samples`. */
  samples: string;
  pods: string;
  tpotP95: string;
  ttftP95: string;
  /** By (namespace, workload, modelName) / (namespace, workload, model_name). */
  gpuName: string;
  servedModel: string;
  /** When each workload last reported (30 days, to the hour). */
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
  const podRe = podNameRegex(batch.kind, `(${names.join('|')})`);
  const ns = namespaces.length === 1 ? `namespace="${namespaces[0]}"` : `namespace=~"${namespaces.join('|')}"`;
  const sel = `${ns},pod=~"${podRe}"`;
  const exported = `exported_${ns},exported_pod=~"${podRe}"`;
  /** Each name's series with a `workload` label (the pod's controller name). */
  const tagged = (metrics: string[], wrap: (s: string) => string = (s) => s) =>
    metrics.map((m) => `label_replace(${wrap(`${m}{${sel}}`)}, "workload", "$1", "pod", "${podRe}")`).join(' or ');
  const by = 'namespace, workload';
  const sub = (expr: string) => `(${expr})[${window}:${stepS}s]`;
  const kvMax = `max by (${by}) (${tagged(KV)})`;
  const increase = (s: string) => `increase(${s}[${window}])`;
  const last = (s: string) => `last_over_time(${s}[${window}])`;
  // DCGM-exporter's workload pod is exported_pod (kube-prometheus), or pod with honorLabels.
  const dcgm =
    `label_replace(label_replace(DCGM_FI_DEV_GPU_UTIL{${exported}}, "namespace", "$1", "exported_namespace", "(.*)"), "workload", "$1", "exported_pod", "${podRe}")` +
    ` or label_replace(DCGM_FI_DEV_GPU_UTIL{${sel}}, "workload", "$1", "pod", "${podRe}")`;
  const dcgmLast =
    `label_replace(label_replace(${last(`DCGM_FI_DEV_GPU_UTIL{${exported}}`)}, "namespace", "$1", "exported_namespace", "(.*)"), "workload", "$1", "exported_pod", "${podRe}")` +
    ` or label_replace(${last(`DCGM_FI_DEV_GPU_UTIL{${sel}}`)}, "workload", "$1", "pod", "${podRe}")`;
  return {
    kvPeak: `max_over_time(${sub(kvMax)})`,
    kvP95: `quantile_over_time(0.95, ${sub(kvMax)})`,
    kvSumP95: `quantile_over_time(0.95, ${sub(`sum by (${by}) (${tagged(KV)})`)})`,
    runningP95: `quantile_over_time(0.95, ${sub(`sum by (${by}) (${tagged(RUNNING)})`)})`,
    waitingP95: `quantile_over_time(0.95, ${sub(`sum by (${by}) (${tagged(WAITING)})`)})`,
    generationP95: `quantile_over_time(0.95, ${sub(`sum by (${by}) (${tagged(GENERATED, (s) => `rate(${s}[${rateWindow}])`)})`)})`,
    gpuUtilP95: `quantile_over_time(0.95, ${sub(`avg by (${by}) (${dcgm})`)})`,
    samples: `count_over_time(${sub(`count by (${by}) (${tagged([...RUNNING, ...KV])})`)})`,
    pods: `count by (${by}) (count by (namespace, pod, workload) (${tagged([...RUNNING, ...KV], last)}))`,
    tpotP95: `histogram_quantile(0.95, sum by (${by}, le) (${tagged(TPOT, increase)}))`,
    ttftP95: `histogram_quantile(0.95, sum by (${by}, le) (${tagged(TTFT, increase)}))`,
    gpuName: `count by (${by}, modelName) (${dcgmLast})`,
    servedModel: `count by (${by}, model_name) (${tagged(RUNNING.slice(0, 2), last)})`,
    lastSeen: `max_over_time(timestamp(max by (${by}) (${tagged(RUNNING)}))[30d:1h])`,
  };
}

/** The key an answer's series is matched back to its workload by. */
export function workloadKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}
