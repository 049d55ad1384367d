/**
 * nvidia-smi's machine-readable outputs -> inventory GPUs:
 * - `--query-gpu=<QUERY_GPU_FIELDS> --format=csv,noheader,nounits`
 * - `--query-compute-apps=<QUERY_APPS_FIELDS> --format=csv,noheader,nounits`
 * - `-L` (lists MIG devices under their GPU)
 * nvidia-smi prints `[N/A]`, `[Not Supported]` and the like for values a GPU does not report;
 * those stay `undefined`.
 */
import type { Result } from '../result.ts';
import { emptyGpu, type Gpu, type GpuProcess, type MigInstance } from './inventory.ts';

export const QUERY_GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'clocks.sm',
  'clocks.mem',
  'mig.mode.current',
  'driver_version',
] as const;

export const QUERY_APPS_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_memory'] as const;

export const QUERY_GPU_ARGS = [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
export const QUERY_APPS_ARGS = [`--query-compute-apps=${QUERY_APPS_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
export const LIST_ARGS = ['-L'];

const UNAVAILABLE = /^\[[^\]]*\]$/; // [N/A], [Not Supported], [Unknown Error], [Insufficient Permissions], ...

function text(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === 'N/A' || UNAVAILABLE.test(trimmed) ? undefined : trimmed;
}

function number(value: string | undefined): number | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The first non-empty line, cut to a readable length: nvidia-smi's own words for a failure. */
export function firstLine(output: string): string {
  const line =
    output
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? 'no output';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function lines(output: string): string[] {
  return output.split(/\r?\n/).filter((line) => line.trim() !== '');
}

function isNoDevices(rows: string[]): boolean {
  return rows.length > 0 && /^No devices were found/i.test(rows[0]?.trim() ?? '');
}

export function parseQueryGpu(output: string): Result<Gpu[]> {
  const rows = lines(output);
  if (rows.length === 0 || isNoDevices(rows)) return { ok: true, value: [] };
  const gpus: Gpu[] = [];
  for (const row of rows) {
    const cells = row.split(',');
    const index = number(cells[0]);
    const uuid = text(cells[1]);
    if (
      cells.length !== QUERY_GPU_FIELDS.length ||
      index === undefined ||
      !Number.isInteger(index) ||
      uuid === undefined
    ) {
      return { ok: false, message: `Unexpected nvidia-smi output: ${firstLine(output)}` };
    }
    const mig = text(cells[13])?.toLowerCase();
    gpus.push({
      ...emptyGpu('nvidia', text(cells[2]) ?? 'Unknown NVIDIA GPU'),
      index,
      uuid,
      pciBusId: text(cells[3]),
      memoryTotalMiB: number(cells[4]),
      memoryUsedMiB: number(cells[5]),
      memoryFreeMiB: number(cells[6]),
      utilizationPercent: number(cells[7]),
      temperatureC: number(cells[8]),
      powerDrawW: number(cells[9]),
      powerLimitW: number(cells[10]),
      smClockMHz: number(cells[11]),
      memoryClockMHz: number(cells[12]),
      migMode: mig === 'enabled' ? 'enabled' : mig === 'disabled' ? 'disabled' : undefined,
      driverVersion: text(cells[14]),
    });
  }
  return { ok: true, value: gpus };
}

/** Compute processes by GPU UUID. A process name may itself contain commas. */
export function parseQueryApps(output: string): Result<Map<string, GpuProcess[]>> {
  const byGpu = new Map<string, GpuProcess[]>();
  const rows = lines(output);
  if (isNoDevices(rows)) return { ok: true, value: byGpu };
  for (const row of rows) {
    const cells = row.split(',');
    const uuid = text(cells[0]);
    const pid = number(cells[1]);
    if (
      cells.length < QUERY_APPS_FIELDS.length ||
      uuid === undefined ||
      pid === undefined ||
      !Number.isInteger(pid) ||
      pid <= 0
    ) {
      return { ok: false, message: `Unexpected nvidia-smi process list: ${firstLine(output)}` };
    }
    const name = cells.slice(2, -1).join(',').trim();
    const processes = byGpu.get(uuid) ?? [];
    processes.push({ pid, name: name || `pid ${pid}`, usedMemoryMiB: number(cells[cells.length - 1]) });
    byGpu.set(uuid, processes);
  }
  return { ok: true, value: byGpu };
}

const MAX_LIST_LINE = 1024;
const GPU_LINE = /^GPU (\d+): .* \(UUID: (GPU-[0-9A-Fa-f-]+)\)\s*$/;
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[0-9A-Za-z/-]+)\)\s*$/;

/** MIG devices by parent GPU UUID, from `nvidia-smi -L`. */
export function parseMigList(output: string): Map<string, MigInstance[]> {
  const byGpu = new Map<string, MigInstance[]>();
  let parent: string | undefined;
  for (const row of lines(output)) {
    // A real line is under 200 characters; a longer one is skipped before any regex sees it.
    if (row.length > MAX_LIST_LINE) continue;
    const gpu = GPU_LINE.exec(row);
    if (gpu) {
      parent = gpu[2];
      continue;
    }
    const mig = MIG_LINE.exec(row);
    if (mig && parent && mig[1] && mig[3]) {
      const list = byGpu.get(parent) ?? [];
      list.push({
        profile: mig[1],
        id: Number(mig[2]),
        uuid: mig[3],
        memoryUsedMiB: undefined,
        memoryTotalMiB: undefined,
      });
      byGpu.set(parent, list);
    }
  }
  return byGpu;
}

export interface NvidiaSmiOutputs {
  queryGpu: string;
  queryApps?: string;
  list?: string;
}

/** Joins the three outputs into GPUs with their processes and MIG instances. */
export function parseNvidiaSmi(outputs: NvidiaSmiOutputs): Result<Gpu[]> {
  const gpus = parseQueryGpu(outputs.queryGpu);
  if (!gpus.ok) return gpus;
  const apps = outputs.queryApps === undefined ? undefined : parseQueryApps(outputs.queryApps);
  const migs = outputs.list === undefined ? new Map<string, MigInstance[]>() : parseMigList(outputs.list);
  return {
    ok: true,
    value: gpus.value.map((gpu) => ({
      ...gpu,
      processes: (apps?.ok && gpu.uuid && apps.value.get(gpu.uuid)) || [],
      migInstances: (gpu.uuid && migs.get(gpu.uuid)) || [],
    })),
  };
}

/**
 * The one constant command run on SSH hosts: all three queries, separated by marker lines, so one
 * connection answers everything. It names no user input.
 */
export const SECTION_MARKER = '@@gpu-workbench@@';
export const REMOTE_NVIDIA_SMI_COMMAND = [
  `nvidia-smi ${QUERY_GPU_ARGS.join(' ')}`,
  `echo ${SECTION_MARKER}`,
  `nvidia-smi ${QUERY_APPS_ARGS.join(' ')}`,
  `echo ${SECTION_MARKER}`,
  `nvidia-smi ${LIST_ARGS.join(' ')}`,
].join('; ');

export function splitRemoteOutput(output: string): NvidiaSmiOutputs {
  const [queryGpu = '', queryApps, list] = output.split(new RegExp(`^${SECTION_MARKER}$`, 'm'));
  return { queryGpu, queryApps, list };
}
