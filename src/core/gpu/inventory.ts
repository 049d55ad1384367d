/**
 * The one inventory model every source fills: host -> GPUs -> processes. A value a source did not
 * report stays `undefined` (never 0), so "unknown" is never shown as "idle".
 */

export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';
export type InventorySource = 'local' | 'ssh' | 'prometheus' | 'kubernetes';

export interface GpuProcess {
  pid: number;
  name: string;
  usedMemoryMiB: number | undefined;
}

/** A MIG GPU instance (NVIDIA A100/H100/H200/B200 partitions). */
export interface MigInstance {
  profile: string;
  uuid: string | undefined;
  /** nvidia-smi -L's device number or DCGM's GPU_I_ID. */
  id: number | undefined;
  memoryUsedMiB: number | undefined;
  memoryTotalMiB: number | undefined;
}

/** A Kubernetes workload seen on a GPU (DCGM exporter's pod labels). */
export interface GpuWorkload {
  namespace: string;
  pod: string;
  container: string | undefined;
}

export interface Gpu {
  vendor: GpuVendor;
  index: number | undefined;
  uuid: string | undefined;
  name: string;
  pciBusId: string | undefined;
  memoryTotalMiB: number | undefined;
  memoryUsedMiB: number | undefined;
  memoryFreeMiB: number | undefined;
  utilizationPercent: number | undefined;
  temperatureC: number | undefined;
  powerDrawW: number | undefined;
  powerLimitW: number | undefined;
  smClockMHz: number | undefined;
  memoryClockMHz: number | undefined;
  migMode: 'enabled' | 'disabled' | undefined;
  migInstances: MigInstance[];
  driverVersion: string | undefined;
  cudaVersion: string | undefined;
  processes: GpuProcess[];
  workloads: GpuWorkload[];
}

/** A Kubernetes node's GPU resources (kubectl get nodes). */
export interface KubernetesNodeGpus {
  capacity: number;
  allocatable: number;
  /** e.g. "nvidia.com/mig-1g.10gb" -> { capacity, allocatable } */
  migResources: Record<string, { capacity: number; allocatable: number }>;
  product: string | undefined;
  memoryMiB: number | undefined;
}

export type HostStatus = { kind: 'ok' } | { kind: 'unreachable'; reason: string } | { kind: 'failed'; reason: string };

export interface Host {
  /** Stable id: "local", "ssh:<host>", "prometheus:<Hostname>", "kubernetes:<node>". */
  id: string;
  label: string;
  source: InventorySource;
  status: HostStatus;
  gpus: Gpu[];
  kubernetes?: KubernetesNodeGpus;
}

export interface Inventory {
  hosts: Host[];
  /** ISO time the poll finished. */
  takenAt: string;
}

export function emptyGpu(vendor: GpuVendor, name: string): Gpu {
  return {
    vendor,
    index: undefined,
    uuid: undefined,
    name,
    pciBusId: undefined,
    memoryTotalMiB: undefined,
    memoryUsedMiB: undefined,
    memoryFreeMiB: undefined,
    utilizationPercent: undefined,
    temperatureC: undefined,
    powerDrawW: undefined,
    powerLimitW: undefined,
    smClockMHz: undefined,
    memoryClockMHz: undefined,
    migMode: undefined,
    migInstances: [],
    driverVersion: undefined,
    cudaVersion: undefined,
    processes: [],
    workloads: [],
  };
}

/** A GPU counts as busy when it runs something, computes, or holds at least 1 GiB. */
export const BUSY_UTILIZATION_PERCENT = 5;
export const BUSY_MEMORY_MIB = 1024;

export function isGpuBusy(gpu: Gpu): boolean {
  return (
    gpu.processes.length > 0 ||
    gpu.workloads.length > 0 ||
    (gpu.utilizationPercent ?? 0) >= BUSY_UTILIZATION_PERCENT ||
    (gpu.memoryUsedMiB ?? 0) >= BUSY_MEMORY_MIB
  );
}

export interface InventorySummary {
  gpus: number;
  busy: number;
  /** Free memory over the GPUs that report it. */
  freeMiB: number;
  unreachableHosts: number;
}

export function summarizeInventory(inventory: Inventory): InventorySummary {
  let gpus = 0;
  let busy = 0;
  let freeMiB = 0;
  let unreachableHosts = 0;
  for (const host of inventory.hosts) {
    if (host.status.kind !== 'ok') unreachableHosts++;
    for (const gpu of host.gpus) {
      gpus++;
      if (isGpuBusy(gpu)) busy++;
      freeMiB += gpu.memoryFreeMiB ?? 0;
    }
  }
  return { gpus, busy, freeMiB, unreachableHosts };
}

/** "GPU 2/8 busy, 61 GiB free" */
export function formatSummary(summary: InventorySummary): string {
  if (summary.gpus === 0) return 'No GPUs';
  return `GPU ${summary.busy}/${summary.gpus} busy, ${Math.floor(summary.freeMiB / 1024)} GiB free`;
}

export const MIB_PER_GIB = 1024;

/** "10.5 / 79.6 GiB" from MiB figures; unknown parts are shown as "?". */
export function formatMemoryGiB(usedMiB: number | undefined, totalMiB: number | undefined): string {
  const gib = (mib: number | undefined) => (mib === undefined ? '?' : (mib / MIB_PER_GIB).toFixed(1));
  return `${gib(usedMiB)} / ${gib(totalMiB)} GiB`;
}

/** A ten-cell bar for used / total, e.g. "▰▱▱▱▱▱▱▱▱▱"; empty when either is unknown. */
export function memoryBar(usedMiB: number | undefined, totalMiB: number | undefined, cells = 10): string {
  if (usedMiB === undefined || totalMiB === undefined || totalMiB <= 0) return '';
  const filled = Math.min(cells, Math.max(0, Math.round((usedMiB / totalMiB) * cells)));
  return '▰'.repeat(filled) + '▱'.repeat(cells - filled);
}
