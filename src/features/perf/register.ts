/** Import Benchmark Result…; the performance model loads on first use. */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import type { ImportBenchmarkDeps } from './importBenchmark.ts';

export function registerPerf(deps: ImportBenchmarkDeps): vscode.Disposable {
  return vscode.commands.registerCommand(
    Commands.importBenchmarkResult,
    async (file?: unknown, gpu?: unknown, tp?: unknown, engine?: unknown) =>
      (await import('./importBenchmark.ts')).importBenchmarkResult(deps, file, gpu, tp, engine),
  );
}
