/** A solved plan exported as JSON, Kubernetes Deployments or vllm serve commands. */
import { stringify } from 'yaml';
import { findGpu } from '../catalog/gpus.ts';
import { NEWEST_MODELED_VLLM } from '../sizing/vllmVersion.ts';
import type { PackingResult } from './packing.ts';
import type { PackingProblem } from './problem.ts';

/** Model -> GPU type -> replicas on that type (a replica's shards share one type). */
function replicasByType(result: PackingResult): Map<string, Map<string, Set<number>>> {
  const out = new Map<string, Map<string, Set<number>>>();
  for (const gpu of result.placement?.gpus ?? []) {
    for (const shard of gpu.replicas) {
      const byType = out.get(shard.model) ?? new Map<string, Set<number>>();
      const set = byType.get(gpu.gpuType) ?? new Set<number>();
      set.add(shard.replica);
      byType.set(gpu.gpuType, set);
      out.set(shard.model, byType);
    }
  }
  return out;
}

export const dnsName = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'model';

/** The node label a GPU type is selected by: the GPU feature discovery product name when the type is in the catalog. */
export function productLabel(type: string): string {
  return findGpu(type)?.nodeLabel ?? type;
}

/** The serving settings a model was sized with, as vllm flags (none when it gave memoryGiB). */
function servingFlags(demand: PackingProblem['models'][number] | undefined): string[] {
  const s = demand?.serving;
  if (!s) return [];
  return [
    '--max-model-len',
    String(s.maxModelLen),
    '--max-num-seqs',
    String(s.maxNumSeqs),
    ...(s.kvCacheDtype === 'auto' ? [] : ['--kv-cache-dtype', s.kvCacheDtype]),
  ];
}

/**
 * How finely a shared GPU's parts are written, coarsest first: rounded up to 0.01 (readable, and
 * each model keeps all its memory), up to 0.001, or, where even that adds to more than the GPU,
 * down to 0.001 (each model a little less than planned: less KV cache, never a failed start).
 */
const ROUNDINGS = [
  (e: number) => Math.ceil(e * 100 - 1e-9) / 100,
  (e: number) => Math.ceil(e * 1000 - 1e-9) / 1000,
  (e: number) => Math.floor(e * 1000 + 1e-9) / 1000,
];

/**
 * Each model's part of the GPUs it shares on a type (vLLM's --gpu-memory-utilization): its memory
 * over the GPU's. vLLM asks for total memory x part at start-up and refuses to start when less is
 * free (vllm/v1/worker/gpu_worker.py, init_device: `requested_memory = total_memory *
 * gpu_memory_utilization`), so the parts on one GPU must add to at most 1; each GPU gets the
 * coarsest rounding that keeps them there, and a model takes the finest rounding of its GPUs
 * (finer is never larger, so no other GPU goes over). Keys: model NUL type; absent where each of
 * the model's shards has its GPU to itself. `roundedDown` names the GPUs whose parts were rounded down.
 */
export function memoryParts(
  problem: PackingProblem,
  result: PackingResult,
): { parts: Map<string, number>; roundedDown: string[] } {
  const memory = new Map(problem.gpus.map((g) => [g.type, g.memoryGiB]));
  const exact = (model: string, type: string) =>
    (problem.models.find((m) => m.name === model)?.memoryGiB ?? 0) / (memory.get(type) ?? Infinity);
  const level = new Map<string, number>();
  const roundedDown: string[] = [];
  for (const gpu of result.placement?.gpus ?? []) {
    if (gpu.replicas.length < 2) continue;
    const models = gpu.replicas.map((r) => r.model);
    const fits = (round: (e: number) => number) =>
      models.reduce((sum, m) => sum + round(exact(m, gpu.gpuType)), 0) <= 1 + 1e-9;
    let chosen = ROUNDINGS.findIndex(fits);
    if (chosen === -1) chosen = ROUNDINGS.length - 1;
    if (chosen === ROUNDINGS.length - 1) roundedDown.push(`${gpu.gpuType} GPU ${gpu.gpuIndex}`);
    for (const m of models) {
      const key = `${m}\u0000${gpu.gpuType}`;
      level.set(key, Math.max(level.get(key) ?? 0, chosen));
    }
  }
  const parts = new Map<string, number>();
  for (const [key, chosen] of level) {
    const [model = '', type = ''] = key.split('\u0000');
    parts.set(key, Math.min(1, ROUNDINGS[chosen]!(exact(model, type))));
  }
  return { parts, roundedDown };
}

/** The export's note on GPUs whose parts were rounded down (full to within rounding), or none. */
function roundedDownNote(roundedDown: string[]): string {
  return roundedDown.length === 0
    ? ''
    : `# Full to within rounding: ${roundedDown.join(', ')}: the models there take their part rounded down to 0.001 (a little less KV cache than planned) so the parts add to at most 1.\n`;
}

/**
 * Models given by memory only have no model id: they run under their plan name, which vLLM cannot
 * load. The export says so, naming them, rather than passing the name off as a model.
 */
function unnamedNote(problem: PackingProblem, result: PackingResult): string {
  const placed = new Set((result.placement?.gpus ?? []).flatMap((g) => g.replicas.map((r) => r.model)));
  const unnamed = problem.models.filter((m) => !m.serving && placed.has(m.name)).map((m) => m.name);
  return unnamed.length === 0
    ? ''
    : `# No model id for ${unnamed.join(', ')} (given by memory only): replace each name after --model / vllm serve with the Hugging Face id to load, or give "model" in the problem.\n`;
}

/** Pinned, so the memory the plan was sized with is the memory this vLLM takes. */
export const VLLM_IMAGE = `vllm/vllm-openai:v${NEWEST_MODELED_VLLM}`;

export function exportKubernetes(problem: PackingProblem, result: PackingResult): string {
  const docs: unknown[] = [];
  const { parts, roundedDown } = memoryParts(problem, result);
  for (const [model, byType] of replicasByType(result)) {
    const demand = problem.models.find((m) => m.name === model);
    for (const [type, replicas] of byType) {
      const name = dnsName(`${model}-${type}`);
      const part = parts.get(`${model}\u0000${type}`);
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name,
          labels: { app: dnsName(model), 'gpu-workbench/plan': 'true' },
          ...(part === undefined
            ? {}
            : {
                annotations: {
                  'gpu-workbench/gpu-sharing': `shares its GPUs with other models (${part} of each): the nodes need GPU time-slicing or MPS in the NVIDIA device plugin`,
                },
              }),
        },
        spec: {
          replicas: replicas.size,
          selector: { matchLabels: { app: dnsName(model), 'gpu-type': dnsName(type) } },
          template: {
            metadata: { labels: { app: dnsName(model), 'gpu-type': dnsName(type) } },
            spec: {
              nodeSelector: { 'nvidia.com/gpu.product': productLabel(type) },
              containers: [
                {
                  name: 'vllm',
                  image: VLLM_IMAGE,
                  args: [
                    '--model',
                    demand?.serving?.model ?? model,
                    '--tensor-parallel-size',
                    String(demand?.tp ?? 1),
                    ...(part === undefined ? [] : ['--gpu-memory-utilization', String(part)]),
                    ...servingFlags(demand),
                  ],
                  resources: { limits: { 'nvidia.com/gpu': demand?.tp ?? 1 } },
                  ...(demand && demand.tp > 1 ? { volumeMounts: [{ name: 'shm', mountPath: '/dev/shm' }] } : {}),
                },
              ],
              ...(demand && demand.tp > 1
                ? { volumes: [{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } }] }
                : {}),
            },
          },
        },
      });
    }
  }
  return `# Generated by GPU Workbench from a plan (${result.status}): ${result.message}\n${unnamedNote(problem, result)}# Models that share a GPU each take their part of it (--gpu-memory-utilization) and need the GPU shared (time-slicing or MPS): see each Deployment's gpu-workbench/gpu-sharing annotation.\n${roundedDownNote(roundedDown)}${docs.map((d) => stringify(d)).join('---\n')}`;
}

export function exportVllmCommands(problem: PackingProblem, result: PackingResult): string {
  const { parts, roundedDown } = memoryParts(problem, result);
  const lines = [
    `# Generated by GPU Workbench: ${result.message}`,
    ...(unnamedNote(problem, result) ? [unnamedNote(problem, result).trimEnd()] : []),
    '# One command per replica, on the GPUs the plan gives it; share a GPU with --gpu-memory-utilization.',
    ...(roundedDown.length ? [roundedDownNote(roundedDown).trimEnd()] : []),
  ];
  const byReplica = new Map<string, { type: string; gpus: number[]; memoryGiB: number; shared: boolean }>();
  for (const gpu of result.placement?.gpus ?? []) {
    for (const shard of gpu.replicas) {
      const key = `${shard.model}\u0000${shard.replica}`;
      const entry = byReplica.get(key) ?? { type: gpu.gpuType, gpus: [], memoryGiB: shard.memoryGiB, shared: false };
      entry.gpus.push(gpu.gpuIndex);
      entry.shared ||= gpu.replicas.length > 1;
      byReplica.set(key, entry);
    }
  }
  for (const [key, entry] of byReplica) {
    const [model = '', replica = ''] = key.split('\u0000');
    // Alone on its GPUs a replica takes vLLM's default 0.9 (more KV cache); sharing, its own part.
    const share = (entry.shared && parts.get(`${model}\u0000${entry.type}`)) || 0.9;
    const demand = problem.models.find((m) => m.name === model);
    lines.push(`# ${model} replica ${replica} on ${entry.type} GPU(s) ${entry.gpus.join(', ')}`);
    lines.push(
      `CUDA_VISIBLE_DEVICES=${entry.gpus.join(',')} vllm serve ${JSON.stringify(demand?.serving?.model ?? model)} --tensor-parallel-size ${entry.gpus.length} --gpu-memory-utilization ${share}${['', ...servingFlags(demand)].join(' ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The `gpu-workbench plan --json` object. */
const cents = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 100) / 100);

export function planJson(result: PackingResult) {
  return {
    status: result.status,
    message: result.message,
    costPerHour: cents(result.costPerHour),
    gpusUsed: result.gpusUsed,
    solveMs: result.solveMs,
    placements: (result.placement?.gpus ?? []).map((g) => ({
      gpuType: g.gpuType,
      gpuIndex: g.gpuIndex,
      replicas: g.replicas.map((r) => ({ model: r.model, replica: r.replica, memoryGiB: r.memoryGiB })),
    })),
    greedy: result.greedy ? { costPerHour: cents(result.greedy.costPerHour), gpusUsed: result.greedy.gpusUsed } : null,
    onePerGpu: result.onePerGpu
      ? { costPerHour: cents(result.onePerGpu.costPerHour), gpusUsed: result.onePerGpu.gpusUsed }
      : null,
  };
}
