import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, LOG_CHANNEL_NAME, Settings, Views, WebviewTypes } from './constants.ts';
import { numberSetting } from './features/config/settings.ts';
import { registerGpuCommands } from './features/gpus/gpuCommands.ts';
import { createGpuStatusBar } from './features/gpus/gpuStatusBar.ts';
import { GpuTreeProvider } from './features/gpus/gpuTreeProvider.ts';
import { InventoryController } from './features/gpus/inventoryController.ts';
import { LintCodeActions } from './features/lint/codeActions.ts';
import { LintDiagnostics } from './features/lint/diagnostics.ts';
import { LintHover } from './features/lint/hover.ts';
import type { WorkbenchDeps } from './features/workbench/deps.ts';
import { WorkbenchPanel } from './features/workbench/workbenchPanel.ts';
import { GlpkWorkerClient } from './node/solverClient.ts';

/** Settings whose change means a new poll. */
const INVENTORY_SETTINGS = [
  Settings.nvidiaSmiPath,
  Settings.rocmSmiPath,
  Settings.sshHosts,
  Settings.sshPath,
  Settings.sshConfigFile,
  Settings.sshConnectTimeoutSeconds,
  Settings.prometheusUrl,
  Settings.kubernetesEnabled,
  Settings.kubeconfig,
  Settings.kubeContext,
  Settings.kubectlPath,
  Settings.refreshIntervalSeconds,
];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(log);

  let solver: GlpkWorkerClient | undefined;
  context.subscriptions.push({ dispose: () => solver?.dispose() });
  const workbenchDeps: WorkbenchDeps = {
    extensionUri: context.extensionUri,
    log,
    solver: () => (solver ??= new GlpkWorkerClient(path.join(context.extensionPath, 'dist', 'solver-worker.js'))),
    disposeSolver: () => {
      solver?.dispose();
      solver = undefined;
    },
    timeLimitSeconds: () => numberSetting(Settings.solverTimeLimitSeconds, 10),
    inventory: () => controller.inventory,
    memento: context.workspaceState,
  };

  const controller = new InventoryController(context.extensionPath, context.secrets, log);
  const tree = new GpuTreeProvider();
  const gpuView = vscode.window.createTreeView(Views.gpus, { treeDataProvider: tree });
  const refreshGpus = () =>
    vscode.window
      .withProgress({ location: { viewId: Views.gpus } }, () => controller.refresh())
      .then(undefined, (error: unknown) => {
        log.error(`GPU refresh failed: ${error instanceof Error ? error.message : String(error)}`);
      });

  context.subscriptions.push(
    controller,
    tree,
    gpuView,
    controller.onDidChange((inventory) => tree.update(inventory)),
    gpuView.onDidChangeVisibility((event) => controller.setWatching('view', event.visible)),
    createGpuStatusBar(controller),
    registerGpuCommands(controller, context.secrets, log),
    // The catalogs and the sizing engine load on first use, not at activation.
    vscode.commands.registerCommand(Commands.estimateModelMemory, async (model?: unknown, gpu?: unknown) =>
      (await import('./features/sizing/estimateCommand.ts')).estimateModelMemory(
        { workbench: workbenchDeps, controller, secrets: context.secrets, log },
        model,
        gpu,
      ),
    ),
    vscode.commands.registerCommand(Commands.suggestDeployment, async (model?: unknown, workload?: unknown) =>
      (await import('./features/sizing/estimateCommand.ts')).suggestDeployment(
        { workbench: workbenchDeps, controller, secrets: context.secrets, log },
        model,
        workload,
      ),
    ),
    vscode.commands.registerCommand(Commands.setHuggingFaceToken, async () =>
      (await import('./features/sizing/estimateCommand.ts')).setHuggingFaceToken(context.secrets),
    ),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refreshGpus()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (INVENTORY_SETTINGS.some((key) => event.affectsConfiguration(`${Settings.section}.${key}`)))
        void controller.refresh();
    }),
    vscode.commands.registerCommand(Commands.refreshGpus, refreshGpus),
    vscode.commands.registerCommand(Commands.openWorkbench, () => void WorkbenchPanel.show(workbenchDeps)),
    vscode.commands.registerCommand(Commands.showLog, () => log.show()),
    vscode.window.registerWebviewPanelSerializer(WebviewTypes.workbench, {
      deserializeWebviewPanel: async (panel) => void WorkbenchPanel.revive(panel, workbenchDeps),
    }),
  );
  // The linter reads files only: it runs in Restricted Mode too.
  const lintDiagnostics = new LintDiagnostics(context.extensionUri, log);
  const lintSelector: vscode.DocumentSelector = [
    { scheme: 'file', language: 'yaml' },
    { scheme: 'file', language: 'dockercompose' },
    { scheme: 'file', language: 'shellscript' },
    { scheme: 'file', language: 'dockerfile' },
    { scheme: 'file', pattern: '**/*.pbtxt' },
    { scheme: 'untitled', language: 'yaml' },
  ];
  context.subscriptions.push(
    lintDiagnostics,
    vscode.languages.registerCodeActionsProvider(lintSelector, new LintCodeActions(lintDiagnostics), {
      providedCodeActionKinds: LintCodeActions.kinds,
    }),
    vscode.languages.registerHoverProvider(lintSelector, new LintHover()),
    vscode.commands.registerCommand(Commands.lintWorkspace, async () =>
      (await import('./features/lint/workspaceLint.ts')).lintWorkspace(lintDiagnostics, log),
    ),
  );
  if (gpuView.visible) controller.setWatching('view', true);
  log.info(`GPU Workbench ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
