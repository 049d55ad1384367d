/** "Lint GPU Configs in Workspace": every config file, minus files.exclude and .gitignore, into the Problems panel. */
import * as vscode from 'vscode';
import type { LintDiagnostics } from './diagnostics.ts';
import { lintDocumentText, loadLinter } from './lintEngine.ts';
import { logError } from '../log/logError.ts';

const INCLUDE = '**/{*.yaml,*.yml,*.pbtxt,*.sh,Dockerfile,*.dockerfile}';

async function gitignoreFilter(folder: vscode.WorkspaceFolder): Promise<(uri: vscode.Uri) => boolean> {
  const { default: ignore } = await import('ignore');
  const rules = ignore();
  try {
    rules.add(
      new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.gitignore'))),
    );
  } catch {
    // no .gitignore
  }
  return (uri) => {
    const relative = vscode.workspace.asRelativePath(uri, false);
    return relative === uri.fsPath || !rules.ignores(relative);
  };
}

export async function lintWorkspace(diagnostics: LintDiagnostics, log: vscode.LogOutputChannel): Promise<void> {
  await loadLinter();
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Linting GPU configs', cancellable: true },
    async (progress, token) => {
      // findFiles applies files.exclude when no exclude pattern is given.
      const files = await vscode.workspace.findFiles(INCLUDE, undefined, 20_000, token);
      const filters = new Map<string, (uri: vscode.Uri) => boolean>();
      for (const folder of vscode.workspace.workspaceFolders ?? [])
        filters.set(folder.uri.toString(), await gitignoreFilter(folder));
      const kept = files.filter((uri) => {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        return !folder || (filters.get(folder.uri.toString())?.(uri) ?? true);
      });
      let errors = 0;
      let warnings = 0;
      for (const [i, uri] of kept.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({ message: vscode.workspace.asRelativePath(uri), increment: 100 / Math.max(1, kept.length) });
        try {
          // Regular files under the size cap only: a 600 MB file is never read into the extension host.
          const info = await vscode.workspace.fs.stat(uri);
          if ((info.type & vscode.FileType.File) === 0 || info.size > (await loadLinter()).lint.MAX_LINT_BYTES) {
            log.info(`Not linted: ${uri.fsPath} is not a regular file under the size limit`);
            continue;
          }
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
          const result = await lintDocumentText(uri.fsPath, text);
          if (result.units === 0) continue;
          diagnostics.setFileFindings(uri, text, result.findings);
          errors += result.findings.filter((f) => f.severity === 'error').length;
          warnings += result.findings.filter((f) => f.severity === 'warning').length;
        } catch (error) {
          logError(log, `Could not lint ${uri.fsPath}`, error);
        }
        if (i % 20 === 0) await new Promise((r) => setImmediate(r)); // keep the extension host responsive
      }
      log.info(
        `Linted ${kept.length} file(s) (${files.length - kept.length} ignored by .gitignore): ${errors} error(s), ${warnings} warning(s)`,
      );
      void vscode.window.setStatusBarMessage(
        `GPU Workbench: ${errors} error(s), ${warnings} warning(s) in ${kept.length} file(s)`,
        5000,
      );
    },
  );
}
