/**
 * `kubectl get nodes -o json` -> one host per node that offers NVIDIA GPUs: capacity and
 * allocatable `nvidia.com/gpu` and MIG resources (`nvidia.com/mig-1g.10gb`), and the GPU product
 * and memory labels that NVIDIA's GPU feature discovery sets.
 */
import { emptyGpu, type Host, type KubernetesNodeGpus } from './inventory.ts';
import type { Result } from '../result.ts';
import { firstLine } from './nvidiaSmi.ts';

const GPU_RESOURCE = 'nvidia.com/gpu';
const MIG_RESOURCE = /^nvidia\.com\/mig-/;
/** More GPUs than any node has (the largest hold 8-16, a GB200 NVL72 rack 72): past it the count is not believed. */
export const MAX_GPUS_PER_NODE = 1024;

function quantity(value: unknown): number {
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function parseKubectlNodes(output: string): Result<Host[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return { ok: false, message: `Unexpected kubectl output: ${firstLine(output)}` };
  }
  const items = record(parsed).items;
  if (!Array.isArray(items)) return { ok: false, message: 'Unexpected kubectl output: no "items" list of nodes' };
  const hosts: Host[] = [];
  for (const item of items) {
    const metadata = record(record(item).metadata);
    const status = record(record(item).status);
    const capacity = record(status.capacity);
    const allocatable = record(status.allocatable);
    const labels = record(metadata.labels);
    const name = typeof metadata.name === 'string' ? metadata.name : undefined;
    if (!name) continue;
    const migResources: KubernetesNodeGpus['migResources'] = {};
    for (const key of Object.keys(capacity).filter((k) => MIG_RESOURCE.test(k))) {
      migResources[key] = { capacity: quantity(capacity[key]), allocatable: quantity(allocatable[key]) };
    }
    const gpuCapacity = quantity(capacity[GPU_RESOURCE]);
    if (gpuCapacity === 0 && Object.keys(migResources).length === 0) continue;
    // A count is a count: validated before anything is made per GPU, and this node alone is marked.
    if (!Number.isInteger(gpuCapacity) || gpuCapacity > MAX_GPUS_PER_NODE) {
      hosts.push({
        id: `kubernetes:${name}`,
        label: name,
        source: 'kubernetes',
        status: {
          kind: 'failed',
          reason: `reports ${String(capacity[GPU_RESOURCE]).slice(0, 40)} GPUs, not a whole number up to ${MAX_GPUS_PER_NODE}`,
        },
        gpus: [],
      });
      continue;
    }
    const product =
      typeof labels['nvidia.com/gpu.product'] === 'string' ? (labels['nvidia.com/gpu.product'] as string) : undefined;
    const memory = quantity(labels['nvidia.com/gpu.memory']);
    const kubernetes: KubernetesNodeGpus = {
      capacity: gpuCapacity,
      allocatable: quantity(allocatable[GPU_RESOURCE]),
      migResources,
      product,
      memoryMiB: memory > 0 ? memory : undefined,
    };
    // Kubernetes knows how many GPUs a node has, not how they are used: one entry per GPU,
    // with its product and memory size, utilization unknown.
    const gpus = Array.from({ length: gpuCapacity }, (_, index) => ({
      ...emptyGpu('nvidia' as const, product ? product.replace(/-/g, ' ') : 'NVIDIA GPU'),
      index,
      memoryTotalMiB: kubernetes.memoryMiB,
    }));
    hosts.push({
      id: `kubernetes:${name}`,
      label: name,
      source: 'kubernetes',
      status: { kind: 'ok' },
      gpus,
      kubernetes,
    });
  }
  return { ok: true, value: hosts };
}
