/**
 * Diagnostics for open documents: linted on open and on change (debounced per document, stale
 * versions dropped), cleared on close. Keeps each document's findings for code actions and hovers.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types.ts';
import { affects } from '../config/settings.ts';
import { logError } from '../log/logError.ts';
import { DocumentFindings } from './documentFindings.ts';
import { isLintable, lintDocumentText, lintSettings } from './lintEngine.ts';

export { DIAGNOSTIC_SOURCE } from './documentFindings.ts';
const DEBOUNCE_MS = 300;

export class LintDiagnostics implements vscode.Disposable {
  private readonly findings: DocumentFindings;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lintNow = (document: vscode.TextDocument) => this.lint(document);

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.findings = new DocumentFindings('gpu-workbench', extensionUri);
    this.disposables.push(
      this.findings,
      vscode.workspace.onDidOpenTextDocument((d) => this.findings.schedule(d, 0, this.lintNow)),
      vscode.workspace.onDidChangeTextDocument((e) => this.findings.schedule(e.document, DEBOUNCE_MS, this.lintNow)),
      vscode.workspace.onDidCloseTextDocument((d) => this.findings.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'lint')) this.relintAll();
      }),
    );
    this.relintAll();
  }

  /** Findings of the document's current version, if linted. */
  findingsFor(document: vscode.TextDocument): Finding[] {
    return this.findings.findingsFor(document);
  }

  docsUri(page: string): vscode.Uri {
    return this.findings.docsUri(page);
  }

  /** Sets diagnostics for a file linted outside an editor (the workspace command). */
  setFileFindings(uri: vscode.Uri, text: string, findings: Finding[]): void {
    this.findings.showFile(uri, text, findings);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private relintAll(): void {
    for (const document of vscode.workspace.textDocuments) this.findings.schedule(document, 0, this.lintNow);
  }

  private async lint(document: vscode.TextDocument): Promise<void> {
    if (document.isClosed || !lintSettings().enabled || !(await isLintable(document))) return;
    const version = document.version;
    try {
      const result = await lintDocumentText(document.uri.fsPath || document.uri.path, document.getText());
      // A newer version is on its way: this result is stale.
      if (document.isClosed || document.version !== version) return;
      if (result.units === 0 && result.findings.every((f) => f.ruleId === 'file-not-linted' && f.severity !== 'info')) {
        // Not a serving config: say nothing about ordinary YAML beyond syntax errors the YAML extension shows anyway.
        this.findings.clear(document.uri);
        return;
      }
      this.findings.show(document, version, result.findings);
    } catch (error) {
      logError(this.log, `Linting ${document.uri.fsPath} failed`, error);
    }
  }
}
