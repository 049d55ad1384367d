import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findGpu } from '../core/catalog/gpus.ts';
import { findModel } from '../core/catalog/models.ts';
import { MAX_LINT_BYTES } from '../core/lint/lint.ts';
import { toJsonFindings, toText, type FileFindings } from '../core/lint/report.ts';
import { windowSeconds } from '../core/rightsize/queries.ts';
import { isNamespaceName } from '../core/rightsize/workloads.ts';
import { safeJson, safeLine, safeText } from '../core/text/safeText.ts';
import { prometheusClient } from '../node/prometheusRange.ts';
import { readRegularFile } from '../node/readLimited.ts';
import { readCalibrationFile } from '../node/calibrationFile.ts';
import { calibrateFleet, type FleetCalibrationOutcome } from '../node/fleetCalibration.ts';
import { rightSizeFiles, type RightSizeRequest } from '../node/rightsize.ts';
import { InputError, positiveNumber, secondsFlag, UsageError, type Io } from './io.ts';

export const RIGHTSIZE_USAGE = `  gpu-workbench rightsize <manifest ...> --prometheus URL [--window 7d] [--namespace NS]
                          [--default-gpu ID] [--tpot-target-ms MS] [--timeout SECONDS] [--json]
                          [--calibrate]   also fit each deployment's observed tokens/s at its observed
                                          concurrency into .gpu-workbench/calibration.json`;

/**
 * Exit 0 when every workload is sized right or could not be judged, 1 when a workload should
 * change (fewer or more GPUs), 2 on a usage or input error.
 */
export async function rightsizeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      prometheus: { type: 'string' },
      window: { type: 'string' },
      namespace: { type: 'string' },
      'default-gpu': { type: 'string' },
      'tpot-target-ms': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      calibrate: { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError('give the manifests that declare the deployments');
  if (!values.prometheus) throw new UsageError('--prometheus URL is required');
  const window = values.window ?? '7d';
  const seconds = windowSeconds(window);
  if (seconds === undefined)
    throw new UsageError(
      `--window must be a duration such as 7d, 36h or 90m (up to 90d), not "${window.slice(0, 40)}"`,
    );
  const defaultGpu = values['default-gpu'] ? findGpu(values['default-gpu']) : undefined;
  if (values['default-gpu'] && !defaultGpu) throw new UsageError(`unknown GPU "${values['default-gpu']}"`);
  if (values.namespace !== undefined && !isNamespaceName(values.namespace))
    throw new UsageError(`--namespace must be a Kubernetes namespace name, not "${values.namespace.slice(0, 80)}"`);
  const timeoutMs = Math.round(secondsFlag(values.timeout, '--timeout', 30) * 1000);
  const client = prometheusClient(values.prometheus, { timeoutMs, token: io.env.PROMETHEUS_TOKEN || undefined });
  if (!client.ok) throw new UsageError(client.message);
  const files: { path: string; text: string }[] = [];
  for (const target of positionals) {
    const file = resolve(io.cwd, target);
    try {
      files.push({ path: relative(io.cwd, file) || file, text: await readRegularFile(file, MAX_LINT_BYTES) });
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read ${target}: ${(error as Error).message}`);
    }
  }
  // Smaller layouts are judged with the workspace's calibration (calibrate, rightsize --calibrate).
  const calibrationFile = await readCalibrationFile(io.cwd);
  if (calibrationFile.warning) io.err(`gpu-workbench: ${safeLine(calibrationFile.warning)}`);
  const request: RightSizeRequest = {
    calibration: calibrationFile.file,
    window,
    windowSeconds: seconds,
    endS: Math.floor(Date.now() / 1000),
    namespace: values.namespace,
    tpotTargetMs: positiveNumber(values['tpot-target-ms'], '--tpot-target-ms', undefined),
    findModel: (id) => findModel(id)?.architecture,
    defaultGpu,
    calibrate: values.calibrate === true,
  };
  const results = await rightSizeFiles(files, client.value, request);
  const calibration = values.calibrate
    ? await calibrateFleet(
        io.cwd,
        results.flatMap((r) => r.calibrations),
        { prometheusUrl: values.prometheus, window, options: request },
      )
    : undefined;
  const shown: FileFindings[] = results.map((r) => ({ file: r.path, text: r.text, findings: r.findings }));
  if (values.json)
    io.out(
      safeJson({
        findings: toJsonFindings(shown),
        ...(calibration
          ? {
              calibration: {
                file: calibration.written,
                entries: calibration.entries.map((e) => ({ workload: e.workload, ...e.entry })),
                skipped: calibration.skipped,
              },
            }
          : {}),
      }),
    );
  else {
    const none = results.filter((r) => r.workloads === 0).map((r) => r.path);
    io.out(toText(shown.map((r) => ({ ...r, file: safeLine(r.file) }))));
    if (none.length > 0)
      io.err(
        `No Deployment, StatefulSet, LeaderWorkerSet or InferenceService with a serving engine in ${none.map(safeLine).join(', ')}.`,
      );
    if (calibration) io.out(calibrationText(calibration));
  }
  if (calibration?.warning) io.err(`gpu-workbench: ${safeLine(calibration.warning)}`);
  return results.some((r) => r.findings.some((f) => f.severity !== 'info')) ? 1 : 0;
}

/** One line per calibrated deployment (the observed point and the fitted factor), one per skipped one. */
function calibrationText(c: FleetCalibrationOutcome): string {
  const lines = c.entries.map(({ workload, entry }) => {
    const s = entry.source;
    const lengths = s.observed?.lengths === 'observed' ? 'mean lengths' : 'assumed lengths';
    return `Calibrated ${entry.model} on ${entry.gpu} x ${entry.tp} (${entry.engine}) from ${workload}: ${s.measured.outputTokensPerSecond.toFixed(0)} generated tokens/s per replica at ${s.setting.concurrency} running requests (${s.observed?.minutes ?? '?'} minutes; ${lengths} ${s.setting.inputTokens} in / ${s.setting.outputTokens} out); roofline said ${s.roofline.outputTokensPerSecond.toFixed(0)}; step times x ${entry.scales.step.toFixed(3)}.`;
  });
  if (c.written) lines.push(`Written to ${c.written}.`);
  lines.push(...c.skipped);
  if (lines.length === 0) lines.push('Nothing to calibrate: no workload had engine metrics over the window.');
  return safeText(lines.join('\n'));
}
