/** Right-size diagnostics from Prometheus, their quick fixes, and "Right-Size from Prometheus". */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import { RIGHT_SIZE_RULE_ID, RightSizeCodeActions } from './codeActions.ts';
import { RightSizeDiagnostics } from './rightSizeDiagnostics.ts';
import { setting } from '../config/settings.ts';

const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', language: 'yaml' }];

async function rightSizeCommand(diagnostics: RightSizeDiagnostics): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Right-sizing asks a Prometheus server: trust this workspace first.');
    return;
  }
  if (!setting('prometheusUrl')) {
    const choice = await vscode.window.showWarningMessage(
      'Right-sizing reads the engines\u2019 metrics from Prometheus: set its URL first.',
      'Set Prometheus URL…',
    );
    if (choice) await vscode.commands.executeCommand(Commands.setPrometheusUrl);
    return;
  }
  const count = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Right-sizing from Prometheus' },
    () => diagnostics.refreshNow(),
  );
  if (count === 0)
    void vscode.window.showInformationMessage(
      `No open manifest declares a Deployment, StatefulSet, LeaderWorkerSet or InferenceService with a serving engine (rule ${RIGHT_SIZE_RULE_ID}).`,
    );
}

export function registerRightSize(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const diagnostics = new RightSizeDiagnostics(context.extensionUri, context.secrets, log);
  return vscode.Disposable.from(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(SELECTOR, new RightSizeCodeActions(diagnostics), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(Commands.rightSize, () => rightSizeCommand(diagnostics)),
  );
}
