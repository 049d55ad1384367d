/**
 * The GPU pool of a packing problem from the live inventory: every reachable GPU, grouped by its
 * catalog type (or by the name it reports), with the memory it reports and the catalog's price.
 */
import { findGpu, plannableGiB } from '../catalog/gpus.ts';
import type { Inventory } from '../gpu/inventory.ts';
import type { GpuPool } from './problem.ts';

export interface InventoryPool extends GpuPool {
  /** Where these GPUs are, for the user to check. */
  hosts: string[];
}

export function poolFromInventory(inventory: Inventory): InventoryPool[] {
  const pools = new Map<string, InventoryPool>();
  const add = (name: string, memoryTotalMiB: number | undefined, count: number, host: string) => {
    const spec = findGpu(name);
    const type = spec?.id ?? name;
    // What CUDA can use: the total nvidia-smi reports less what the driver keeps, as the catalog does.
    const mib =
      memoryTotalMiB !== undefined
        ? memoryTotalMiB - (spec?.reservedMiB ?? 0)
        : spec
          ? spec.memoryMiB - spec.reservedMiB
          : undefined;
    if (mib === undefined || !(mib > 0) || count <= 0) return;
    const pool = pools.get(type) ?? {
      type,
      count: 0,
      memoryGiB: plannableGiB(mib),
      costPerHour: spec?.pricePerHour ?? 0,
      hosts: [],
    };
    pool.count += count;
    pool.memoryGiB = Math.min(pool.memoryGiB, plannableGiB(mib));
    if (!pool.hosts.includes(host)) pool.hosts.push(host);
    pools.set(type, pool);
  };
  const reachable = inventory.hosts.filter((h) => h.status.kind === 'ok');
  const seen = new Set(reachable.filter((h) => h.gpus.length > 0).map((h) => h.label));
  for (const host of reachable) {
    for (const gpu of host.gpus) add(gpu.name, gpu.memoryTotalMiB, 1, host.label);
    // A Kubernetes node whose GPUs DCGM does not already list: its capacity and product label.
    if (host.gpus.length === 0 && host.kubernetes?.product && !seen.has(host.label))
      add(host.kubernetes.product.replace(/-/g, ' '), host.kubernetes.memoryMiB, host.kubernetes.capacity, host.label);
  }
  return [...pools.values()].sort((a, b) => b.memoryGiB - a.memoryGiB || a.type.localeCompare(b.type));
}
