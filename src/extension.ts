import * as vscode from 'vscode';
import { Commands, LOG_CHANNEL_NAME } from './constants.ts';
import { registerGpus } from './features/gpus/register.ts';
import { safeLog } from './features/log/safeLog.ts';
import { registerLint } from './features/lint/register.ts';
import { registerPerf } from './features/perf/register.ts';
import { registerRightSize } from './features/rightsize/register.ts';
import { registerServices } from './features/services/register.ts';
import { registerSizing } from './features/sizing/register.ts';
import { registerWorkbench } from './features/workbench/register.ts';

/** Wires each feature; every feature's `register…` returns what it owns as one disposable. */
export function activate(context: vscode.ExtensionContext): void {
  const log = safeLog(vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true }));
  const gpus = registerGpus(context, log);
  const workbench = registerWorkbench(context, log, () => gpus.controller.inventory);
  context.subscriptions.push(
    log,
    gpus.disposable,
    workbench.disposable,
    registerSizing({ workbench: workbench.deps, controller: gpus.controller, secrets: context.secrets, log }),
    registerLint(context, log, () => gpus.controller.inventory),
    registerPerf({ workbench: workbench.deps, log }),
    registerRightSize(context, log),
    registerServices(context.secrets, context.workspaceState, log, gpus.controller, gpus.tree),
    vscode.commands.registerCommand(Commands.showLog, () => log.show()),
  );
  log.info(`GPU Workbench ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
