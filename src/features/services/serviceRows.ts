/** What the Model services view shows of each engine, without the editor (tested in Node). */
import type { Gpu, Host, Inventory } from '../../core/gpu/inventory.ts';
import {
  dollarsPerMillionTokens,
  plannedDollarsPerMillion,
  serviceCostPerHour,
  type PlannedReplica,
} from '../../core/services/serviceCost.ts';
import type { EngineSnapshot } from '../../core/services/engineMetrics.ts';
import { safeLine } from '../../core/text/safeText.ts';
import type { LocalService } from '../../node/localServices.ts';
import type { PodService } from '../../node/podServices.ts';

export const ENGINE_LABEL = { vllm: 'vLLM', sglang: 'SGLang', tgi: 'TGI' } as const;

/** A GPU a service holds, as the GPUs view knows it (host id, index, UUID) so it can be revealed there. */
export interface GpuRef {
  hostId: string;
  host: string;
  index: number | undefined;
  uuid: string | undefined;
  name: string;
}

/** What the server costs: $/h, and $ per million output tokens measured and as the plan predicted. */
export interface ShownCost {
  costPerHour: number;
  /** Where the price came from: "catalog H100 $4.00/h" or "setting $2.50/h". */
  priceSource: string;
  measuredPerMillion?: number;
  /** undefined: no plan in this workspace has the model. */
  plannedPerMillion?: number;
}

/** A service as shown: its latest snapshot, the GPUs it holds, and rates from the one before. */
export interface ShownService {
  service: LocalService & { host?: string };
  gpus: GpuRef[];
  generationTokensPerSecond?: number;
  promptTokensPerSecond?: number;
  cost?: ShownCost;
}

/** A figure row; a GPU row carries the GPU so a click reveals it in the GPUs view. */
export interface Figure {
  label: string;
  description: string;
  gpu?: GpuRef;
}

const ms = (s: number | undefined) => (s === undefined ? '?' : `${(s * 1000).toFixed(0)} ms`);

/** The key of a process on a host: "local|4242", "ssh:gpu-box|4242". */
export const processKey = (hostId: string, pid: number) => `${hostId}|${pid}`;

/** The GPUs (of this machine and SSH hosts) each process appears on in the inventory. */
export function gpusByProcess(inventory: Inventory | undefined): Map<string, GpuRef[]> {
  const out = new Map<string, GpuRef[]>();
  for (const host of inventory?.hosts ?? []) {
    if (host.source !== 'local' && host.source !== 'ssh') continue;
    for (const gpu of host.gpus)
      for (const p of gpu.processes) {
        const key = processKey(host.id, p.pid);
        out.set(key, [...(out.get(key) ?? []), gpuRef(host, gpu)]);
      }
  }
  return out;
}

/** The GPUs each Kubernetes pod holds, from the DCGM exporter's pod labels ("namespace/pod"). */
export function gpusByPod(inventory: Inventory | undefined): Map<string, GpuRef[]> {
  const out = new Map<string, GpuRef[]>();
  for (const host of inventory?.hosts ?? [])
    for (const gpu of host.gpus)
      for (const w of gpu.workloads) {
        const key = `${w.namespace}/${w.pod}`;
        out.set(key, [...(out.get(key) ?? []), gpuRef(host, gpu)]);
      }
  return out;
}

function gpuRef(host: Host, gpu: Gpu): GpuRef {
  return { hostId: host.id, host: host.label, index: gpu.index, uuid: gpu.uuid, name: gpu.name };
}

/** "GPU 0 NVIDIA H100 80GB HBM3 · GPU-5f3c…" (the UUID shortened; the tooltip has it whole). */
export function gpuLabel(gpu: GpuRef): string {
  return `GPU ${gpu.index ?? '?'} ${gpu.name}${gpu.uuid ? ` · ${gpu.uuid.slice(0, 12)}…` : ''}`;
}

function rate(now: number | undefined, before: number | undefined, seconds: number): number | undefined {
  return now !== undefined && before !== undefined && seconds > 0 && now >= before
    ? (now - before) / seconds
    : undefined;
}

/** Rates between two snapshots of the same process. */
export function withRates(
  service: LocalService & { host?: string },
  gpus: GpuRef[],
  previous: LocalService | undefined,
): ShownService {
  const seconds = previous ? (service.atMs - previous.atMs) / 1000 : 0;
  const a: EngineSnapshot | undefined = service.snapshot;
  const b: EngineSnapshot | undefined = previous?.snapshot;
  return {
    service,
    gpus,
    generationTokensPerSecond: rate(a?.generationTokensTotal, b?.generationTokensTotal, seconds),
    promptTokensPerSecond: rate(a?.promptTokensTotal, b?.promptTokensTotal, seconds),
  };
}

const money = (d: number) => `$${d.toFixed(2)}`;

/** "$8.00/h (2 GPUs x catalog H100 $4.00/h)" and "$12.35 measured · plan $9.80 / no plan". */
export function costFigures(gpuCount: number, cost: ShownCost | undefined): Figure[] {
  if (!cost) return [];
  const measured =
    cost.measuredPerMillion === undefined
      ? 'not measured yet (needs generated tokens/s)'
      : `${money(cost.measuredPerMillion)} measured`;
  const planned = cost.plannedPerMillion === undefined ? 'no plan' : `plan ${money(cost.plannedPerMillion)}`;
  return [
    {
      label: 'cost',
      description: `${money(cost.costPerHour)}/h (${gpuCount} GPU${gpuCount === 1 ? '' : 's'} × ${cost.priceSource})`,
    },
    { label: '$/M output tokens', description: `${measured} · ${planned}` },
  ];
}

export function figures(shown: ShownService): Figure[] {
  const s = shown.service.snapshot;
  const gpuRows = shown.gpus.map((gpu): Figure => ({ label: 'GPU', description: safeLine(gpuLabel(gpu)), gpu }));
  if (!s) return [{ label: 'metrics', description: safeLine(shown.service.error ?? 'not read yet') }, ...gpuRows];
  const rows: Figure[] = [];
  if (s.kvCacheUsage !== undefined)
    rows.push({ label: 'KV cache', description: `${(s.kvCacheUsage * 100).toFixed(1)} %` });
  rows.push({ label: 'requests', description: `${s.running ?? '?'} running, ${s.waiting ?? '?'} waiting` });
  if (shown.generationTokensPerSecond !== undefined || shown.promptTokensPerSecond !== undefined)
    rows.push({
      label: 'tokens/s',
      description: `${shown.promptTokensPerSecond?.toFixed(0) ?? '?'} prompt, ${shown.generationTokensPerSecond?.toFixed(0) ?? '?'} generated`,
    });
  if (s.ttftSeconds)
    rows.push({ label: 'TTFT', description: `p50 ${ms(s.ttftSeconds.p50)}, p95 ${ms(s.ttftSeconds.p95)}` });
  if (s.tpotSeconds)
    rows.push({ label: 'inter-token', description: `p50 ${ms(s.tpotSeconds.p50)}, p95 ${ms(s.tpotSeconds.p95)}` });
  if (s.e2eSeconds)
    rows.push({ label: 'end-to-end', description: `p50 ${ms(s.e2eSeconds.p50)}, p95 ${ms(s.e2eSeconds.p95)}` });
  if (s.preemptionsTotal !== undefined) rows.push({ label: 'preemptions', description: String(s.preemptionsTotal) });
  rows.push(...costFigures(shown.gpus.length, shown.cost), ...gpuRows);
  return rows;
}

/** A pod's figures, from Prometheus (instant values; rates over 10 minutes). */
export function podFigures(pod: PodService, gpus: GpuRef[] = [], cost?: ShownCost): Figure[] {
  const rows: Figure[] = [];
  if (pod.kvCacheUsage !== undefined)
    rows.push({ label: 'KV cache', description: `${(pod.kvCacheUsage * 100).toFixed(1)} %` });
  rows.push({ label: 'requests', description: `${pod.running ?? '?'} running, ${pod.waiting ?? '?'} waiting` });
  if (pod.generationTokensPerSecond !== undefined)
    rows.push({
      label: 'tokens/s',
      description: `${pod.generationTokensPerSecond.toFixed(0)} generated (10 min rate)`,
    });
  rows.push(...costFigures(gpus.length, cost));
  for (const gpu of gpus) rows.push({ label: 'GPU', description: safeLine(`${gpuLabel(gpu)} on ${gpu.host}`), gpu });
  return rows;
}

/** A pod as shown: its Prometheus figures, the GPUs DCGM saw it on, its cost. */
export interface ShownPod {
  pod: PodService;
  gpus: GpuRef[];
  cost?: ShownCost;
}

/** What the GPUs view writes beside each process that is a model server: "vLLM meta-llama/Llama-3.1-8B-Instruct". */
export function serviceLabels(shown: readonly ShownService[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of shown) {
    const hostId = s.service.host === undefined ? 'local' : `ssh:${s.service.host}`;
    const model = s.service.snapshot?.model ?? s.service.model;
    const label = `${ENGINE_LABEL[s.service.engine]}${model ? ` ${model}` : ''}`;
    // Beside the engine's own process and each GPU process it runs as (vLLM's EngineCore, workers).
    for (const pid of new Set([s.service.pid, ...(s.service.gpuPids ?? [])])) out.set(processKey(hostId, pid), label);
  }
  return out;
}

/** A stored plan's provisioning rows and the output tokens per request each model was planned with. */
export interface PlannedFleet {
  rows: PlannedReplica[];
  outputTokens: (model: string) => number | undefined;
}

/**
 * The cost figures of a server holding `gpus`: the price of one GPU-hour from the setting when set
 * (> 0), else the catalog's price for the first GPU's type; none when neither is known.
 */
export function shownCost(
  gpus: readonly GpuRef[],
  pricePerGpuHourSetting: number,
  catalogPrice: (gpuName: string) => { name: string; pricePerHour: number } | undefined,
  model: string | undefined,
  plan: PlannedFleet | undefined,
  generationTokensPerSecond: number | undefined,
): ShownCost | undefined {
  if (gpus.length === 0) return undefined;
  const spec = pricePerGpuHourSetting > 0 ? undefined : catalogPrice(gpus[0]!.name);
  const price = pricePerGpuHourSetting > 0 ? pricePerGpuHourSetting : spec?.pricePerHour;
  if (price === undefined) return undefined;
  const costPerHour = serviceCostPerHour(gpus.length, price);
  return {
    costPerHour,
    priceSource: spec ? `catalog ${spec.name} ${money(price)}/h` : `setting ${money(price)}/h`,
    measuredPerMillion: dollarsPerMillionTokens(costPerHour, generationTokensPerSecond),
    plannedPerMillion:
      model && plan ? plannedDollarsPerMillion(plan.rows, (m) => plan.outputTokens(m), model) : undefined,
  };
}
