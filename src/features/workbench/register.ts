/** The allocation workbench panel, its GLPK worker (started on first use) and its commands. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, WebviewTypes } from '../../constants.ts';
import type { Inventory } from '../../core/gpu/inventory.ts';
import { GlpkWorkerClient } from '../../node/solverClient.ts';
import { setting } from '../config/settings.ts';
import type { WorkbenchDeps } from './deps.ts';
import { WorkbenchPanel } from './workbenchPanel.ts';

export function registerWorkbench(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  inventory: () => Inventory | undefined,
): { deps: WorkbenchDeps; disposable: vscode.Disposable } {
  let solver: GlpkWorkerClient | undefined;
  const deps: WorkbenchDeps = {
    extensionUri: context.extensionUri,
    log,
    solver: () => (solver ??= new GlpkWorkerClient(path.join(context.extensionPath, 'dist', 'solver-worker.js'))),
    disposeSolver: () => {
      solver?.dispose();
      solver = undefined;
    },
    timeLimitSeconds: () => setting('solverTimeLimitSeconds'),
    inventory,
    memento: context.workspaceState,
  };
  const disposable = vscode.Disposable.from(
    { dispose: () => deps.disposeSolver() },
    vscode.commands.registerCommand(Commands.openWorkbench, () => void WorkbenchPanel.show(deps, 'plan')),
    vscode.window.registerWebviewPanelSerializer(WebviewTypes.workbench, {
      deserializeWebviewPanel: async (panel) => void WorkbenchPanel.revive(panel, deps),
    }),
  );
  return { deps, disposable };
}
