/**
 * Parses `nvidia-smi --query-gpu=<QUERY_GPU_FIELDS> --format=csv,noheader,nounits`.
 * nvidia-smi writes `[N/A]` or `[Not Supported]` for values a GPU does not report; those stay
 * `undefined`, never 0, so "unknown" is never shown as "idle".
 */

/** The fields asked for, in order; the parser reads columns by this list. */
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
  'driver_version',
] as const;

export interface NvidiaGpu {
  index: number;
  uuid: string;
  name: string;
  pciBusId: string | undefined;
  memoryTotalMiB: number | undefined;
  memoryUsedMiB: number | undefined;
  memoryFreeMiB: number | undefined;
  utilizationPercent: number | undefined;
  temperatureC: number | undefined;
  powerDrawW: number | undefined;
  powerLimitW: number | undefined;
  driverVersion: string | undefined;
}

export type NvidiaSmiParse = { ok: true; gpus: NvidiaGpu[] } | { ok: false; message: string };

const UNAVAILABLE = /^\[(N\/A|Not Supported|Unknown Error|Insufficient Permissions|GPU requires reset)\]$/i;

function text(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' || UNAVAILABLE.test(trimmed) ? undefined : trimmed;
}

function number(value: string | undefined): number | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The first line of nvidia-smi's own failure text, e.g. "NVIDIA-SMI has failed because ...". */
function failureMessage(output: string): string {
  const line = output.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'nvidia-smi printed nothing';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function parseNvidiaSmiGpuCsv(output: string): NvidiaSmiParse {
  const lines = output.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { ok: true, gpus: [] };
  if (/^No devices were found/i.test(lines[0]?.trim() ?? '')) return { ok: true, gpus: [] };
  const gpus: NvidiaGpu[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    const index = number(cells[0]);
    const uuid = text(cells[1]);
    if (cells.length !== QUERY_GPU_FIELDS.length || index === undefined || !Number.isInteger(index) || uuid === undefined) {
      return { ok: false, message: `Unexpected nvidia-smi output: ${failureMessage(output)}` };
    }
    gpus.push({
      index,
      uuid,
      name: text(cells[2]) ?? 'Unknown GPU',
      pciBusId: text(cells[3]),
      memoryTotalMiB: number(cells[4]),
      memoryUsedMiB: number(cells[5]),
      memoryFreeMiB: number(cells[6]),
      utilizationPercent: number(cells[7]),
      temperatureC: number(cells[8]),
      powerDrawW: number(cells[9]),
      powerLimitW: number(cells[10]),
      driverVersion: text(cells[11]),
    });
  }
  return { ok: true, gpus };
}

export const MIB_PER_GIB = 1024;

/** "10.5 / 79.6 GiB" from MiB figures; unknown parts are shown as "?". */
export function formatMemoryGiB(usedMiB: number | undefined, totalMiB: number | undefined): string {
  const gib = (mib: number | undefined) => (mib === undefined ? '?' : (mib / MIB_PER_GIB).toFixed(1));
  return `${gib(usedMiB)} / ${gib(totalMiB)} GiB`;
}
