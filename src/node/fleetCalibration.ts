/**
 * Calibration from a fleet: each right-sized workload's window (see core/rightsize/calibrate.ts)
 * becomes an entry of the workspace's `.gpu-workbench/calibration.json`, the file `estimate`,
 * suggest, provisioning and the linter's costs already read.
 */
import { withCalibration, type CalibrationEntry } from '../core/perf/calibration.ts';
import { calibrateWorkload } from '../core/rightsize/calibrate.ts';
import type { RightSizeOptions } from '../core/rightsize/recommend.ts';
import { readCalibrationFile, writeCalibrationFile } from './calibrationFile.ts';
import type { CalibratedWorkload } from './rightsize.ts';

export interface FleetCalibrationOutcome {
  /** The file written, when an entry was. */
  written?: string;
  entries: { workload: string; entry: CalibrationEntry }[];
  /** One line per workload that gave no entry, saying why. */
  skipped: string[];
  /** The existing file did not parse (it was replaced by the entries only when some were written). */
  warning?: string;
}

/** The URL as a calibration records it: no user, password, query or fragment (they may hold credentials). */
export function recordedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'prometheus';
  }
}

/** Fits every observed workload and writes the entries (one per model x card x engine x TP, the latest wins). */
export async function calibrateFleet(
  workspace: string,
  observed: readonly CalibratedWorkload[],
  request: { prometheusUrl: string; window: string; options: RightSizeOptions },
): Promise<FleetCalibrationOutcome> {
  const entries: FleetCalibrationOutcome['entries'] = [];
  const skipped: string[] = [];
  for (const c of observed) {
    const name = `${c.workload.kind} ${c.workload.namespace}/${c.workload.name}`;
    const result = calibrateWorkload(c.workload, c.observed, c.sample, request.options, {
      source: `prometheus ${recordedUrl(request.prometheusUrl)} window ${request.window} ${c.workload.namespace}/${c.workload.name}`,
      observedAt: new Date(c.endS * 1000).toISOString(),
    });
    if (result.ok) entries.push({ workload: name, entry: result.entry });
    else skipped.push(`${name}: not calibrated: ${result.reason}`);
  }
  if (entries.length === 0) return { entries, skipped };
  const loaded = await readCalibrationFile(workspace);
  let file = loaded.file;
  for (const { entry } of entries) file = withCalibration(file, entry);
  const written = await writeCalibrationFile(workspace, file);
  return { written, entries, skipped, warning: loaded.warning };
}
