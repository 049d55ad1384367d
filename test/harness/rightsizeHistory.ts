/**
 * A week of serving history for the workloads of test/fixtures/rightsize/serving.yaml, as Prometheus
 * would hold it: vLLM (new and old KV-cache names) and SGLang series with the labels a kube-prometheus
 * ServiceMonitor adds, and DCGM-exporter series with the workload's pod in exported_pod.
 */
import type { HistoryFamily, HistorySeries } from './prometheusHistory.ts';

const STEP_S = 120;
const POINTS = (7 * 86_400) / STEP_S; // 5,040 samples per series over the week

/** The labels Prometheus adds scraping a pod's /metrics through a ServiceMonitor (kube-prometheus). */
function podLabels(service: string, pod: string, ip: string): Record<string, string> {
  return {
    container: 'vllm',
    endpoint: 'http',
    instance: `${ip}:8000`,
    job: service,
    namespace: 'serving',
    pod,
    service,
    model_name: 'meta-llama/Llama-3.1-8B-Instruct',
  };
}

function series(
  endS: number,
  name: string,
  labels: Record<string, string>,
  value: (i: number) => number,
): HistorySeries {
  const points: [number, number][] = [];
  for (let i = 0; i < POINTS; i++) points.push([endS - (POINTS - 1 - i) * STEP_S, value(i)]);
  return { name, labels, points };
}

const IDLE = podLabels('llama-idle', 'llama-idle-7d9f8c6b5-x2k4p', '10.0.1.23');
const BUSY = podLabels('llama-busy', 'llama-busy-5f6d8b9c7-q8w2e', '10.0.1.24');
// Another Deployment whose name starts with "llama-idle-": its saturated pod must not count as llama-idle's.
const DECOY = podLabels('llama-idle-canary', 'llama-idle-canary-5c8d7f9b4-abcde', '10.0.1.25');
const STOPPED = podLabels('llama-stopped', 'llama-stopped-6c8d9f7b5-k2j3h', '10.0.1.28');
const MYSTERY = podLabels('mystery', 'mystery-84c5d7b9f-r7t8y', '10.0.1.27');
const SGLANG = {
  ...podLabels('llama-sglang', 'llama-sglang-6b7c9d8f4-m3n4p', '10.0.1.26'),
  container: 'sglang',
  engine_type: 'unified',
  tp_rank: '0',
  pp_rank: '0',
};
const STS = [0, 1, 2, 3].map((n) => podLabels('llama-sts', `llama-sts-${n}`, `10.0.2.${n + 10}`));

/** DCGM-exporter through its ServiceMonitor: the workload's pod is exported_pod (honorLabels off). */
function dcgm(gpu: number, pod: string, container: string): Record<string, string> {
  return {
    gpu: String(gpu),
    UUID: `GPU-3f1c2a4e-0b6d-4e8a-9c21-00000000000${gpu}`,
    device: `nvidia${gpu}`,
    modelName: 'NVIDIA H100 80GB HBM3',
    Hostname: 'gpu-node-1',
    DCGM_FI_DRIVER_VERSION: '550.90.07',
    container: 'nvidia-dcgm-exporter',
    endpoint: 'gpu-metrics',
    instance: '10.0.0.7:9400',
    job: 'nvidia-dcgm-exporter',
    namespace: 'gpu-operator',
    pod: 'nvidia-dcgm-exporter-7xk2p',
    service: 'nvidia-dcgm-exporter',
    exported_container: container,
    exported_namespace: 'serving',
    exported_pod: pod,
  };
}

/**
 * Every family, ending at `nowS` (rounded down to a step): help strings as vLLM
 * (vllm/v1/metrics/loggers.py), SGLang (python/sglang/srt/metrics/collector.py) and DCGM-exporter declare them.
 */
export function servingHistory(nowS: number): HistoryFamily[] {
  const endS = Math.floor(nowS / STEP_S) * STEP_S - STEP_S;
  const s = (name: string, labels: Record<string, string>, value: (i: number) => number) =>
    series(endS, name, labels, value);
  // llama-stopped's week ended eight days before the others'.
  const stopped = (name: string, value: (i: number) => number) => series(endS - 8 * 86_400, name, STOPPED, value);
  const families: HistoryFamily[] = [
    {
      name: 'vllm:kv_cache_usage_perc',
      type: 'gauge',
      help: 'KV-cache usage. 1 means 100 percent usage.',
      series: [
        s('vllm:kv_cache_usage_perc', IDLE, (i) => 0.02 + (0.03 * (i % 7)) / 6), // 2 % .. 5 %
        s('vllm:kv_cache_usage_perc', BUSY, (i) => 0.95 + (0.04 * (i % 5)) / 4), // 95 % .. 99 %
        s('vllm:kv_cache_usage_perc', DECOY, () => 0.99),
        s('vllm:kv_cache_usage_perc', MYSTERY, () => 0.04),
        stopped('vllm:kv_cache_usage_perc', () => 0.03),
      ],
    },
    {
      name: 'vllm:gpu_cache_usage_perc',
      type: 'gauge',
      help: 'GPU KV-cache usage. 1 means 100 percent usage.',
      series: STS.map((l) => s('vllm:gpu_cache_usage_perc', l, () => 0.1)),
    },
    {
      name: 'vllm:num_requests_running',
      type: 'gauge',
      help: 'Number of requests in model execution batches.',
      series: [
        s('vllm:num_requests_running', IDLE, (i) => i % 4),
        s('vllm:num_requests_running', BUSY, () => 64),
        s('vllm:num_requests_running', DECOY, () => 64),
        s('vllm:num_requests_running', MYSTERY, (i) => i % 2),
        stopped('vllm:num_requests_running', (i) => i % 2),
        ...STS.map((l) => s('vllm:num_requests_running', l, () => 2)),
      ],
    },
    {
      name: 'vllm:num_requests_waiting',
      type: 'gauge',
      help: 'Number of requests waiting to be processed.',
      series: [
        s('vllm:num_requests_waiting', IDLE, () => 0),
        s('vllm:num_requests_waiting', BUSY, (i) => 10 + (i % 11)), // 10 .. 20
        s('vllm:num_requests_waiting', DECOY, () => 30),
        s('vllm:num_requests_waiting', MYSTERY, () => 0),
        stopped('vllm:num_requests_waiting', () => 0),
        ...STS.map((l) => s('vllm:num_requests_waiting', l, () => 0)),
      ],
    },
    {
      name: 'vllm:generation_tokens',
      type: 'counter',
      help: 'Number of generation tokens processed.',
      series: [
        s('vllm:generation_tokens_total', IDLE, (i) => 100 * STEP_S * i), // 100 tokens/s
        s('vllm:generation_tokens_total', BUSY, (i) => 3000 * STEP_S * i),
      ],
    },
    {
      name: 'DCGM_FI_DEV_GPU_UTIL',
      type: 'gauge',
      help: 'GPU utilization (in %).',
      series: [
        ...[0, 1, 2, 3].map((g) => s('DCGM_FI_DEV_GPU_UTIL', dcgm(g, IDLE.pod!, 'vllm'), () => 3)),
        ...[4, 5].map((g) => s('DCGM_FI_DEV_GPU_UTIL', dcgm(g, MYSTERY.pod!, 'vllm'), () => 2)),
      ],
    },
    // SGLang reports from TP rank 0 only unless --enable-metrics-for-all-schedulers (server_args.py).
    {
      name: 'sglang:token_usage',
      type: 'gauge',
      help: 'The token usage.',
      series: [s('sglang:token_usage', SGLANG, () => 0.03)],
    },
    {
      name: 'sglang:num_running_reqs',
      type: 'gauge',
      help: 'The number of running requests.',
      series: [s('sglang:num_running_reqs', SGLANG, (i) => i % 3)],
    },
    {
      name: 'sglang:num_queue_reqs',
      type: 'gauge',
      help: 'The number of requests in the waiting queue.',
      series: [s('sglang:num_queue_reqs', SGLANG, () => 0)],
    },
  ];
  return families;
}
