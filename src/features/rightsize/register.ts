/** Right-size diagnostics from Prometheus, their quick fixes, and "Right-Size from Prometheus". */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import { RIGHT_SIZE_RULE_ID, RightSizeCodeActions } from './codeActions.ts';
import { RightSizeDiagnostics } from './rightSizeDiagnostics.ts';
import { setting } from '../config/settings.ts';
import { errorMessage } from '../../core/errors.ts';
import { logError } from '../log/logError.ts';

const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', language: 'yaml' }];

/** Whether `what` ("Right-sizing") may ask Prometheus: a trusted workspace and a URL; otherwise says which is missing. */
async function prometheusReady(what: string): Promise<boolean> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`${what} asks a Prometheus server: trust this workspace first.`);
    return false;
  }
  if (setting('prometheusUrl')) return true;
  const choice = await vscode.window.showWarningMessage(
    `${what} reads the engines\u2019 metrics from Prometheus: set its URL first.`,
    'Set Prometheus URL…',
  );
  if (choice) await vscode.commands.executeCommand(Commands.setPrometheusUrl);
  return false;
}

async function rightSizeCommand(diagnostics: RightSizeDiagnostics): Promise<void> {
  if (!(await prometheusReady('Right-sizing'))) return;
  const count = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Right-sizing from Prometheus' },
    () => diagnostics.refreshNow(),
  );
  if (count === 0)
    void vscode.window.showInformationMessage(
      `No open manifest declares a Deployment, StatefulSet, LeaderWorkerSet or InferenceService with a serving engine (rule ${RIGHT_SIZE_RULE_ID}).`,
    );
}

/** Fits each open manifest's deployments, from what Prometheus saw, into .gpu-workbench/calibration.json. */
async function calibrateCommand(diagnostics: RightSizeDiagnostics, log: vscode.LogOutputChannel): Promise<void> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!workspace) {
    void vscode.window.showWarningMessage(
      'Calibrate from Prometheus needs an open folder to keep .gpu-workbench/calibration.json in.',
    );
    return;
  }
  if (!(await prometheusReady('Calibration'))) return;
  try {
    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Calibrating from Prometheus' },
      () => diagnostics.calibrate(workspace),
    );
    if (!done) return;
    const { outcome, workloads } = done;
    for (const { workload, entry } of outcome.entries)
      log.info(
        `Calibrate from Prometheus: ${workload}: ${entry.source.measured.outputTokensPerSecond.toFixed(0)} tokens/s per replica at ${entry.source.setting.concurrency} running (step x ${entry.scales.step.toFixed(3)})`,
      );
    for (const line of outcome.skipped) log.info(`Calibrate from Prometheus: ${line}`);
    if (outcome.warning) log.warn(outcome.warning);
    if (workloads === 0)
      void vscode.window.showInformationMessage(
        'No open manifest declares a Deployment, StatefulSet, LeaderWorkerSet or InferenceService with a serving engine.',
      );
    else if (outcome.written)
      void vscode.window.showInformationMessage(
        `Calibrated ${outcome.entries.map((e) => e.workload).join(', ')} into .gpu-workbench/calibration.json${outcome.skipped.length ? `; ${outcome.skipped.length} skipped (see the log)` : ''}.`,
      );
    else
      void vscode.window.showWarningMessage(
        `Nothing calibrated: ${outcome.skipped.slice(0, 2).join('; ')}${outcome.skipped.length > 2 ? '; …' : ''}`,
      );
  } catch (error) {
    logError(log, 'Calibrate from Prometheus failed', error);
    void vscode.window.showErrorMessage(`Calibrate from Prometheus: ${errorMessage(error)}`);
  }
}

export function registerRightSize(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const diagnostics = new RightSizeDiagnostics(context.extensionUri, context.secrets, log);
  return vscode.Disposable.from(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(SELECTOR, new RightSizeCodeActions(diagnostics), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(Commands.rightSize, () => rightSizeCommand(diagnostics)),
    vscode.commands.registerCommand(Commands.calibrateFromPrometheus, () => calibrateCommand(diagnostics, log)),
  );
}
