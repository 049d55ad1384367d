/** Estimate Model Memory…, Suggest Deployment… and the Hub token; the catalogs load on first use. */
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import type { SizingDeps } from './estimateCommand.ts';

export function registerSizing(deps: SizingDeps): vscode.Disposable {
  const sizing = () => import('./estimateCommand.ts');
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.estimateModelMemory, async (model?: unknown, gpu?: unknown) =>
      (await sizing()).estimateModelMemory(deps, model, gpu),
    ),
    vscode.commands.registerCommand(Commands.suggestDeployment, async (model?: unknown, workload?: unknown) =>
      (await sizing()).suggestDeployment(deps, model, workload),
    ),
    vscode.commands.registerCommand(Commands.setHuggingFaceToken, async () =>
      (await sizing()).setHuggingFaceToken(deps.secrets),
    ),
  );
}
