/**
 * `npm run bench`: every figure beside its budget or baseline, as a ratio (below 1.00 is within
 * budget). Timings live here, never in tests. Run after `npm run package` (the npm script does).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SELF_TEST_PROGRAM } from '../src/core/solver/selfTest.ts';
import { GlpkWorkerClient } from '../src/node/solverClient.ts';
import { inventoryRows } from './inventory.ts';
import { lintRows } from './lint.ts';
import { packingRows } from './packing.ts';
import { perfRows } from './perf.ts';
import { provisioningRows } from './provisioning.ts';
import { rightsizeRows } from './rightsize.ts';
import { schedRows } from './sched.ts';
import { printMemoryErrorTable } from './memoryTable.ts';
import { sizingRows } from './sizing.ts';
import { median, printRows, type Row } from './report.ts';
import { webviewRows } from './webview.ts';

const repo = resolve(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

const rows: Row[] = [];
/** Sizes in KB of 1,000 bytes, the unit the budgets and docs/solver-notes.md use. */
const kb = (path: string) => statSync(join(repo, path)).size / 1000;

function activation(): { requireMs: number; activateMs: number } {
  const runs = Array.from(
    { length: 15 },
    () =>
      JSON.parse(
        execFileSync(process.execPath, [join(repo, 'bench', 'activationProbe.cjs')], { encoding: 'utf8' }),
      ) as {
        requireMs: number;
        activateMs: number;
      },
  );
  return { requireMs: median(runs.map((r) => r.requireMs)), activateMs: median(runs.map((r) => r.activateMs)) };
}

async function solver(): Promise<{ threadMs: number; loadMs: number; firstSolveMs: number; warmSolveMs: number }> {
  const threads: number[] = [];
  const loads: number[] = [];
  const firsts: number[] = [];
  const warms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const client = new GlpkWorkerClient(join(repo, 'dist', 'solver-worker.js'));
    const started = performance.now();
    const info = await client.start();
    threads.push(performance.now() - started);
    loads.push(info.loadMs);
    let t = performance.now();
    await client.solve(SELF_TEST_PROGRAM, { timeLimitSeconds: 5, mipGap: 0 });
    firsts.push(performance.now() - t);
    for (let j = 0; j < 10; j++) {
      t = performance.now();
      await client.solve(SELF_TEST_PROGRAM, { timeLimitSeconds: 5, mipGap: 0 });
      warms.push(performance.now() - t);
    }
    client.dispose();
  }
  return { threadMs: median(threads), loadMs: median(loads), firstSolveMs: median(firsts), warmSolveMs: median(warms) };
}

const act = activation();
rows.push({
  figure: 'load + activate() (stub vscode API, median of 15 processes)',
  value: act.requireMs + act.activateMs,
  unit: 'ms',
  baseline: 20,
  baselineNote: 'budget',
});
rows.push({
  figure: '  of which activate() alone',
  value: act.activateMs,
  unit: 'ms',
  baseline: 20,
  baselineNote: 'budget',
});
rows.push({
  figure: 'extension bundle (dist/extension.js, minified)',
  value: kb('dist/extension.js'),
  unit: 'KB',
  baseline: 400,
  baselineNote: 'budget',
});
rows.push({
  figure: 'solver worker bundle (dist/solver-worker.js)',
  value: kb('dist/solver-worker.js'),
  unit: 'KB',
  baseline: 44,
  baselineNote: 'docs/solver-notes.md: glpk.js runtime 44 KB',
});
rows.push({
  figure: 'glpk.wasm',
  value: kb('dist/glpk.wasm'),
  unit: 'KB',
  baseline: 294,
  baselineNote: 'docs/solver-notes.md: 294 KB',
});
rows.push({
  figure: 'webview bundle (dist/webview.js)',
  value: kb('dist/webview.js'),
  unit: 'KB',
  baseline: kb('node_modules/@vscode/webview-ui-toolkit/dist/toolkit.min.js'),
  baselineNote: 'toolkit.min.js alone',
});
rows.push({
  figure: `VSIX (gpu-workbench-${version}.vsix)`,
  value: kb(`gpu-workbench-${version}.vsix`),
  unit: 'KB',
  baseline: 3000,
  baselineNote: 'budget 3 MB',
});
const glpk = await solver();
rows.push({
  figure: 'GLPK load + instantiate in the worker (median of 5)',
  value: glpk.loadMs,
  unit: 'ms',
  baseline: 15,
  baselineNote: 'docs/solver-notes.md: ~15 ms',
});
rows.push({
  figure: 'worker thread start to GLPK ready, same runs',
  value: glpk.threadMs,
  unit: 'ms',
  baseline: 15,
  baselineNote: 'docs/solver-notes.md: ~15 ms (no thread)',
});
rows.push({
  figure: 'self-test LP, first solve round trip',
  value: glpk.firstSolveMs,
  unit: 'ms',
  baseline: 15,
  baselineNote: 'docs/solver-notes.md: 5x8 MIP 15 ms',
});
rows.push({
  figure: 'self-test LP, warm solve round trip',
  value: glpk.warmSolveMs,
  unit: 'ms',
  baseline: 15,
  baselineNote: 'docs/solver-notes.md: 5x8 MIP 15 ms',
});

rows.push(...sizingRows());
rows.push(...perfRows());
rows.push(...lintRows());
rows.push(...(await packingRows()));
rows.push(...(await provisioningRows()));
rows.push(...schedRows());
rows.push(...(await inventoryRows()));
rows.push(...(await webviewRows(repo)));
rows.push(...(await rightsizeRows()));
printRows(rows);
printMemoryErrorTable();
console.log(
  `\nnode ${process.version}, ${process.platform}/${process.arch}; ratios below 1.00 are within budget or faster than the baseline.`,
);
