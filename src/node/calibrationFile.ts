/**
 * The workspace's calibration, `.gpu-workbench/calibration.json`: a file users can commit, read by
 * suggest, provisioning and the linter's costs, written by `gpu-workbench calibrate`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMPTY_CALIBRATION, parseCalibration, type CalibrationFile } from '../core/perf/calibration.ts';
import { InputError, readRegularFile } from './readLimited.ts';

export const CALIBRATION_PATH = join('.gpu-workbench', 'calibration.json');
const MAX_BYTES = 4 * 1024 * 1024;

export type LoadedCalibration = { file: CalibrationFile; warning?: string };

/** The workspace's calibration; an absent file is an empty one, a broken one an empty one with a warning. */
export async function readCalibrationFile(workspace: string): Promise<LoadedCalibration> {
  const path = join(workspace, CALIBRATION_PATH);
  let text: string;
  try {
    // The repository's file: a regular file up to 4 MiB, read no further (a FIFO or /dev/zero
    // placed there must not hang or fill every command run in the folder).
    text = await readRegularFile(path, MAX_BYTES);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return { file: EMPTY_CALIBRATION };
    if (error instanceof InputError) return { file: EMPTY_CALIBRATION, warning: `${error.message}; ignored` };
    return { file: EMPTY_CALIBRATION, warning: `${path}: ${(error as Error).message}` };
  }
  const parsed = parseCalibration(text);
  if (!parsed.ok) return { file: EMPTY_CALIBRATION, warning: `${path}: ${parsed.message}; ignored` };
  return {
    file: parsed.value.file,
    warning: parsed.value.dropped
      ? `${path}: ${parsed.value.dropped} entries did not parse and were ignored`
      : undefined,
  };
}

/** Writes through a temporary file, so a reader never sees half a file. */
export async function writeCalibrationFile(workspace: string, file: CalibrationFile): Promise<string> {
  const path = join(workspace, CALIBRATION_PATH);
  await mkdir(join(workspace, '.gpu-workbench'), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
  return path;
}
