/**
 * `rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --showpower --json`:
 * an object of "cardN" entries whose values are all strings; key spellings vary across ROCm
 * releases ("Card series" / "Card Series", "Average" / "Current Socket Graphics Package Power").
 */
import { emptyGpu, type Gpu } from './inventory.ts';
import type { Result } from '../result.ts';
import { firstLine } from './nvidiaSmi.ts';

export const ROCM_SMI_ARGS = [
  '--showproductname',
  '--showmeminfo',
  'vram',
  '--showuse',
  '--showtemp',
  '--showpower',
  '--showdriverversion',
  '--json',
];

const BYTES_PER_MIB = 1024 * 1024;

function field(card: Record<string, unknown>, ...keys: string[]): string | undefined {
  const lower = new Map(Object.entries(card).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of keys) {
    const value = lower.get(key.toLowerCase());
    if (typeof value === 'string' && value.trim() !== '' && !/^(n\/a|unknown)$/i.test(value.trim()))
      return value.trim();
  }
  return undefined;
}

function number(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function parseRocmSmiJson(output: string): Result<Gpu[]> {
  if (output.trim() === '') return { ok: true, value: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return { ok: false, message: `Unexpected rocm-smi output: ${firstLine(output)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: 'Unexpected rocm-smi output: not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  const driver =
    typeof record.system === 'object' && record.system !== null
      ? field(record.system as Record<string, unknown>, 'Driver version')
      : undefined;
  const gpus: Gpu[] = [];
  for (const [key, value] of Object.entries(record)) {
    const match = /^card(\d+)$/.exec(key);
    if (!match || typeof value !== 'object' || value === null) continue;
    const card = value as Record<string, unknown>;
    const totalBytes = number(field(card, 'VRAM Total Memory (B)'));
    const usedBytes = number(field(card, 'VRAM Total Used Memory (B)'));
    const totalMiB = totalBytes === undefined ? undefined : totalBytes / BYTES_PER_MIB;
    const usedMiB = usedBytes === undefined ? undefined : usedBytes / BYTES_PER_MIB;
    gpus.push({
      ...emptyGpu('amd', field(card, 'Card Series', 'Device Name', 'Card Model') ?? `AMD GPU ${match[1]}`),
      index: Number(match[1]),
      uuid: field(card, 'Unique ID'),
      memoryTotalMiB: totalMiB,
      memoryUsedMiB: usedMiB,
      memoryFreeMiB: totalMiB !== undefined && usedMiB !== undefined ? totalMiB - usedMiB : undefined,
      utilizationPercent: number(field(card, 'GPU use (%)')),
      temperatureC: number(field(card, 'Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)')),
      powerDrawW: number(
        field(card, 'Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'),
      ),
      powerLimitW: number(field(card, 'Max Graphics Package Power (W)')),
      driverVersion: field(card, 'Driver version') ?? driver,
    });
  }
  gpus.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { ok: true, value: gpus };
}
