/**
 * "Import Benchmark Result…": a file `vllm bench serve --save-result` wrote is fitted into the
 * workspace's `.gpu-workbench/calibration.json` and shown in the workbench as measured against
 * predicted. Optional arguments (file, GPU id, TP, engine) let tests skip the pickers.
 */
import * as vscode from 'vscode';
import { findGpu, GPU_CATALOG } from '../../core/catalog/gpus.ts';
import { parseBenchmarkResults, withCalibration } from '../../core/perf/calibration.ts';
import { performanceChart } from '../../core/perf/chartView.ts';
import { ENGINES, type Engine } from '../../core/perf/engines.ts';
import { fitRuns } from '../../core/perf/fit.ts';
import { errorMessage } from '../../core/errors.ts';
import { readCalibrationFile, writeCalibrationFile } from '../../node/calibrationFile.ts';
import { resolveModel } from '../../node/modelSource.ts';
import type { WorkbenchDeps } from '../workbench/deps.ts';
import { WorkbenchPanel } from '../workbench/workbenchPanel.ts';
import { readRegularFile } from '../../node/readLimited.ts';

const MAX_RESULT_BYTES = 50 * 1024 * 1024;

export interface ImportBenchmarkDeps {
  workbench: WorkbenchDeps;
  log: vscode.LogOutputChannel;
}

async function pickFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (typeof arg === 'string') return vscode.Uri.file(arg);
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Benchmark result': ['json', 'jsonl'] },
    title: 'A result file from vllm bench serve --save-result',
  });
  return picked?.[0];
}

async function pickEngine(arg: unknown, fromRun: string | undefined): Promise<Engine | undefined> {
  const given = typeof arg === 'string' ? arg : fromRun;
  if (given !== undefined) return ENGINES.includes(given as Engine) ? (given as Engine) : undefined;
  const picked = await vscode.window.showQuickPick([...ENGINES], { title: 'Import Benchmark Result: serving engine' });
  return picked as Engine | undefined;
}

export async function importBenchmarkResult(
  deps: ImportBenchmarkDeps,
  fileArg?: unknown,
  gpuArg?: unknown,
  tpArg?: unknown,
  engineArg?: unknown,
): Promise<void> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!workspace) {
    void vscode.window.showWarningMessage(
      'Import Benchmark Result needs an open folder to keep .gpu-workbench/calibration.json in.',
    );
    return;
  }
  const file = await pickFile(fileArg);
  if (!file) return;
  try {
    // A regular file, read up to the cap (a FIFO or /dev/zero is refused, not read).
    const runs = parseBenchmarkResults(await readRegularFile(file.fsPath, MAX_RESULT_BYTES));
    if (!runs.ok) throw new Error(runs.message);
    const first = runs.value[0]!;
    const gpuId =
      typeof gpuArg === 'string'
        ? gpuArg
        : (first.metadata.gpu ??
          (
            await vscode.window.showQuickPick(
              GPU_CATALOG.map((g) => ({ label: g.id, description: g.name })),
              { title: 'Import Benchmark Result: the GPU it ran on' },
            )
          )?.label);
    const gpu = gpuId ? findGpu(gpuId) : undefined;
    if (!gpu) return;
    const tpText =
      typeof tpArg === 'number'
        ? String(tpArg)
        : (first.metadata.tp ??
          (await vscode.window.showInputBox({ title: 'Import Benchmark Result: tensor parallel size', value: '1' })));
    const tp = Number(tpText);
    if (!Number.isInteger(tp) || tp < 1) return;
    const engine = await pickEngine(engineArg, first.metadata.engine);
    if (!engine) return;
    // Catalog, a config.json in the workspace, or the local Hugging Face cache: an import contacts nothing.
    const model = await resolveModel(first.modelId, { cwd: workspace, hubEndpoint: undefined });
    if (!model.ok) throw new Error(model.message);
    const name = file.path.split('/').pop() ?? 'result.json';
    const context = { model: model.architecture, gpu, tp, engine };
    const fitted = fitRuns(runs.value, { ...context, file: name });
    if (!fitted.ok) throw new Error(fitted.message);
    const loaded = await readCalibrationFile(workspace);
    if (loaded.warning) deps.log.warn(loaded.warning);
    const path = await writeCalibrationFile(workspace, withCalibration(loaded.file, fitted.value));
    deps.log.info(
      `Import Benchmark Result: ${name} fitted (step x ${fitted.value.scales.step.toFixed(3)}) into ${path}`,
    );
    WorkbenchPanel.show(deps.workbench).showPerformanceChart(performanceChart(runs.value, context, fitted.value));
  } catch (error) {
    deps.log.warn(`Import Benchmark Result: ${errorMessage(error)}`);
    void vscode.window.showErrorMessage(`Import Benchmark Result: ${errorMessage(error)}`);
  }
}
