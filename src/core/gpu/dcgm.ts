/**
 * DCGM-exporter metrics as answered by Prometheus's HTTP query API (`/api/v1/query`, resultType
 * "vector") -> one inventory host per `Hostname` label. MIG GPUs report per GPU instance
 * (GPU_I_PROFILE / GPU_I_ID labels); their memory adds up to the GPU's.
 */
import { emptyGpu, type Gpu, type Host, type MigInstance } from './inventory.ts';
import type { Result } from '../result.ts';

export const DCGM_METRICS = {
  fbUsedMiB: 'DCGM_FI_DEV_FB_USED',
  fbFreeMiB: 'DCGM_FI_DEV_FB_FREE',
  utilizationPercent: 'DCGM_FI_DEV_GPU_UTIL',
  powerW: 'DCGM_FI_DEV_POWER_USAGE',
  temperatureC: 'DCGM_FI_DEV_GPU_TEMP',
  smClockMHz: 'DCGM_FI_DEV_SM_CLOCK',
  memoryClockMHz: 'DCGM_FI_DEV_MEM_CLOCK',
} as const;

/** One PromQL query for every metric above. */
export const DCGM_QUERY = `{__name__=~"${Object.values(DCGM_METRICS).join('|')}"}`;

interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** Prometheus labels are strings; anything else (an object, a number) from a hostile server is dropped. */
function stringLabels(labels: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') out[key] = value;
  return out;
}

function readSamples(body: unknown): Result<Sample[]> {
  if (typeof body !== 'object' || body === null)
    return { ok: false, message: 'Prometheus answered with something that is not JSON' };
  const answer = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
  if (answer.status !== 'success') {
    return {
      ok: false,
      message: `Prometheus refused the query: ${typeof answer.error === 'string' ? answer.error : 'no reason given'}`,
    };
  }
  if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
    return { ok: false, message: 'Prometheus answered with a result that is not an instant vector' };
  }
  const samples: Sample[] = [];
  for (const entry of answer.data.result as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as { metric?: unknown; value?: unknown };
    if (typeof e.metric !== 'object' || e.metric === null || !Array.isArray(e.value)) continue;
    // Prometheus sends the value as a string; an object here (one with no toString) must not throw.
    const raw: unknown = e.value[1];
    const value = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : NaN;
    if (!Number.isFinite(value)) continue;
    samples.push({ metric: stringLabels(e.metric as Record<string, unknown>), value });
  }
  return { ok: true, value: samples };
}

type MetricKey = keyof typeof DCGM_METRICS;
const KEY_BY_NAME = new Map<string, MetricKey>(
  Object.entries(DCGM_METRICS).map(([key, name]) => [name, key as MetricKey]),
);

interface GpuAccumulator {
  host: string;
  gpu: Gpu;
  migs: Map<string, MigInstance & { freeMiB?: number }>;
  values: Partial<Record<MetricKey, number>>;
  /** namespace + pod already listed: a Set, so many pods on one GPU stay linear. */
  pods: Set<string>;
}

function hostOf(metric: Record<string, string>): string {
  return metric.Hostname || metric.node || metric.kubernetes_node || metric.instance || 'unknown host';
}

function addSample(acc: GpuAccumulator, key: MetricKey, sample: Sample): void {
  const profile = sample.metric.GPU_I_PROFILE;
  if (profile && (key === 'fbUsedMiB' || key === 'fbFreeMiB')) {
    const id = sample.metric.GPU_I_ID ?? profile;
    const mig = acc.migs.get(id) ?? {
      profile,
      id: Number(sample.metric.GPU_I_ID) || undefined,
      uuid: undefined,
      memoryUsedMiB: undefined,
      memoryTotalMiB: undefined,
    };
    if (key === 'fbUsedMiB') mig.memoryUsedMiB = sample.value;
    else mig.freeMiB = sample.value;
    acc.migs.set(id, mig);
    return;
  }
  // Per-instance utilization and the like are summed into the GPU for memory only; keep the max.
  acc.values[key] = Math.max(acc.values[key] ?? -Infinity, sample.value);
  const pod = sample.metric.pod;
  const podKey = `${sample.metric.namespace ?? ''}\u0000${pod}`;
  if (pod && !acc.pods.has(podKey)) {
    acc.pods.add(podKey);
    acc.gpu.workloads.push({
      namespace: sample.metric.namespace ?? '',
      pod,
      container: sample.metric.container || undefined,
    });
  }
}

function finish(acc: GpuAccumulator): Gpu {
  const migs = [...acc.migs.values()].map(({ freeMiB, ...mig }) => ({
    ...mig,
    memoryTotalMiB: mig.memoryUsedMiB !== undefined && freeMiB !== undefined ? mig.memoryUsedMiB + freeMiB : undefined,
  }));
  migs.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const v = acc.values;
  let used = v.fbUsedMiB;
  let free = v.fbFreeMiB;
  if (migs.length > 0 && used === undefined && free === undefined) {
    used = migs.reduce((sum, m) => sum + (m.memoryUsedMiB ?? 0), 0);
    free = migs.reduce((sum, m) => sum + ((m.memoryTotalMiB ?? 0) - (m.memoryUsedMiB ?? 0)), 0);
  }
  return {
    ...acc.gpu,
    memoryUsedMiB: used,
    memoryFreeMiB: free,
    memoryTotalMiB: used !== undefined && free !== undefined ? used + free : undefined,
    utilizationPercent: v.utilizationPercent,
    powerDrawW: v.powerW,
    temperatureC: v.temperatureC,
    smClockMHz: v.smClockMHz,
    memoryClockMHz: v.memoryClockMHz,
    migMode: migs.length > 0 ? 'enabled' : acc.gpu.migMode,
    migInstances: migs,
  };
}

export function parseDcgmQueryResponse(body: unknown): Result<Host[]> {
  const samples = readSamples(body);
  if (!samples.ok) return samples;
  const gpus = new Map<string, GpuAccumulator>();
  for (const sample of samples.value) {
    const key = KEY_BY_NAME.get(sample.metric.__name__ ?? '');
    if (!key) continue;
    const host = hostOf(sample.metric);
    const id = `${host}\u0000${sample.metric.UUID ?? sample.metric.gpu ?? '?'}`;
    let acc = gpus.get(id);
    if (!acc) {
      const index = Number(sample.metric.gpu);
      acc = {
        host,
        gpu: {
          ...emptyGpu('nvidia', sample.metric.modelName || 'NVIDIA GPU'),
          index: Number.isInteger(index) ? index : undefined,
          uuid: sample.metric.UUID || undefined,
          pciBusId: sample.metric.pci_bus_id || undefined,
          driverVersion: sample.metric.DCGM_FI_DRIVER_VERSION || undefined,
        },
        migs: new Map(),
        values: {},
        pods: new Set(),
      };
      gpus.set(id, acc);
    }
    addSample(acc, key, sample);
  }
  const hosts = new Map<string, Host>();
  for (const acc of gpus.values()) {
    const host = hosts.get(acc.host) ?? {
      id: `prometheus:${acc.host}`,
      label: acc.host,
      source: 'prometheus' as const,
      status: { kind: 'ok' as const },
      gpus: [],
    };
    host.gpus.push(finish(acc));
    hosts.set(acc.host, host);
  }
  const result = [...hosts.values()].sort((a, b) => a.label.localeCompare(b.label));
  for (const host of result) host.gpus.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { ok: true, value: result };
}
