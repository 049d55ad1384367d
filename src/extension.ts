import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, LOG_CHANNEL_NAME, Settings, Views, WebviewTypes } from './constants.ts';
import { GpuTreeProvider } from './features/gpus/gpuTreeProvider.ts';
import { WorkbenchPanel, type WorkbenchDeps } from './features/workbench/workbenchPanel.ts';
import { queryLocalGpus, type LocalGpuQuery } from './node/nvidiaSmi.ts';
import { GlpkWorkerClient } from './node/solverClient.ts';

/** A machine-scoped setting read from user settings only, whatever a workspace file says. */
function machineSetting<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration(Settings.section).inspect<T>(key)?.globalValue;
}

function numberSetting(key: string, fallback: number): number {
  const value = vscode.workspace.getConfiguration(Settings.section).get<number>(key);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

async function queryLocal(log: vscode.LogOutputChannel): Promise<LocalGpuQuery | undefined> {
  // Restricted Mode: nvidia-smi is an executable, so nothing runs until the user trusts the folder.
  if (!vscode.workspace.isTrusted) return undefined;
  const result = await queryLocalGpus(machineSetting<string>(Settings.nvidiaSmiPath) || undefined, numberSetting(Settings.commandTimeoutSeconds, 10) * 1000);
  if (result.kind === 'failed') log.warn(result.message);
  else if (result.kind === 'noNvidiaSmi') log.info(`No local NVIDIA GPUs: ${result.reason}`);
  else log.info(`${result.executable}: ${result.gpus.length} GPU(s)`);
  return result;
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(log);

  let solver: GlpkWorkerClient | undefined;
  context.subscriptions.push({ dispose: () => solver?.dispose() });
  const workbenchDeps: WorkbenchDeps = {
    extensionUri: context.extensionUri,
    log,
    solver: () => (solver ??= new GlpkWorkerClient(path.join(context.extensionPath, 'dist', 'solver-worker.js'))),
    timeLimitSeconds: () => numberSetting(Settings.solverTimeLimitSeconds, 10),
  };

  const gpus = new GpuTreeProvider(() => queryLocal(log));
  const gpuView = vscode.window.createTreeView(Views.gpus, { treeDataProvider: gpus, showCollapseAll: false });
  const refreshGpus = () =>
    vscode.window.withProgress({ location: { viewId: Views.gpus } }, () => gpus.refresh()).then(undefined, (error: unknown) => {
      log.error(`GPU refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    });

  context.subscriptions.push(
    gpus,
    gpuView,
    gpuView.onDidChangeVisibility((event) => {
      if (event.visible) void refreshGpus();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refreshGpus()),
    vscode.commands.registerCommand(Commands.refreshGpus, refreshGpus),
    vscode.commands.registerCommand(Commands.openWorkbench, () => void WorkbenchPanel.show(workbenchDeps)),
    vscode.commands.registerCommand(Commands.showLog, () => log.show()),
    vscode.window.registerWebviewPanelSerializer(WebviewTypes.workbench, {
      deserializeWebviewPanel: async (panel) => void WorkbenchPanel.revive(panel, workbenchDeps),
    }),
  );
  if (gpuView.visible) void refreshGpus();
  log.info(`GPU Workbench ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
