/** Serving engines in Kubernetes pods, from the Prometheus that scrapes them (namespace/pod labels). */
import type { Result } from '../core/result.ts';
import type { ServiceEngine } from '../core/services/engineMetrics.ts';
import type { PrometheusClient } from './prometheusRange.ts';

export interface PodService {
  namespace: string;
  pod: string;
  engine?: ServiceEngine;
  model?: string;
  kvCacheUsage?: number;
  running?: number;
  waiting?: number;
  generationTokensPerSecond?: number;
}

const ENGINE_OF: Record<string, ServiceEngine> = {
  'vllm:num_requests_running': 'vllm',
  'sglang:num_running_reqs': 'sglang',
  tgi_batch_current_size: 'tgi',
};
const RUNNING = Object.keys(ENGINE_OF).join(' or ');
const WAITING = 'vllm:num_requests_waiting or sglang:num_queue_reqs or tgi_queue_size';
const KV = 'vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc or sglang:token_usage';
const GENERATED =
  'rate(vllm:generation_tokens_total[10m]) or rate(sglang:generation_tokens_total[10m]) or rate(tgi_request_generated_tokens_sum[10m])';

/** At most `limit` pods, by namespace and name. */
export async function podServices(client: PrometheusClient, nowS: number, limit = 200): Promise<Result<PodService[]>> {
  const answers = await Promise.all([
    client.vector(
      `count by (namespace, pod, model_name, __name__) ({__name__=~"${Object.keys(ENGINE_OF).join('|')}"})`,
      nowS,
    ),
    client.vector(`sum by (namespace, pod) (${RUNNING})`, nowS),
    client.vector(`sum by (namespace, pod) (${WAITING})`, nowS),
    client.vector(`max by (namespace, pod) (${KV})`, nowS),
    client.vector(`sum by (namespace, pod) (${GENERATED})`, nowS),
  ]);
  const series: { labels: Record<string, string>; value: number }[][] = [];
  for (const a of answers) {
    if (!a.ok) return a;
    series.push(a.value);
  }
  const [engines = [], ...figures] = series;
  const key = (l: Record<string, string>) => `${l.namespace ?? ''}/${l.pod ?? ''}`;
  const pods = new Map<string, PodService>();
  for (const e of engines) {
    if (!e.labels.pod) continue;
    pods.set(key(e.labels), {
      namespace: e.labels.namespace ?? '',
      pod: e.labels.pod,
      engine: ENGINE_OF[e.labels.__name__ ?? ''],
      ...(e.labels.model_name ? { model: e.labels.model_name } : {}),
    });
  }
  // The figures' series in the order asked above.
  const fields = ['running', 'waiting', 'kvCacheUsage', 'generationTokensPerSecond'] as const;
  figures.forEach((rows, i) => {
    for (const r of rows) {
      const pod = pods.get(key(r.labels));
      if (pod) pod[fields[i]!] = r.value;
    }
  });
  const list = [...pods.values()].sort((a, b) => `${a.namespace}/${a.pod}`.localeCompare(`${b.namespace}/${b.pod}`));
  return { ok: true, value: list.slice(0, limit) };
}
