/**
 * Diagnostics for open documents: linted on open and on change (debounced per document, stale
 * versions dropped), cleared on close. Keeps each document's findings for code actions and hovers.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types.ts';
import { isLintable, lintDocumentText, lintSettings } from './lintEngine.ts';
import { affects } from '../config/settings.ts';
import { logError } from '../log/logError.ts';

export const DIAGNOSTIC_SOURCE = 'GPU Workbench';
const DEBOUNCE_MS = 300;

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export interface LintedDocument {
  version: number;
  findings: Finding[];
}

export class LintDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('gpu-workbench');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly results = new Map<string, LintedDocument>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'lint')) this.relintAll();
      }),
    );
    this.relintAll();
  }

  /** Findings of the document's current version, if linted. */
  findingsFor(document: vscode.TextDocument): Finding[] {
    const result = this.results.get(document.uri.toString());
    return result && result.version === document.version ? result.findings : [];
  }

  docsUri(page: string): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', page);
  }

  toDiagnostic(document: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
    const range = new vscode.Range(document.positionAt(finding.span.start), document.positionAt(finding.span.end));
    const diagnostic = new vscode.Diagnostic(range, finding.message, SEVERITY[finding.severity]);
    diagnostic.source = DIAGNOSTIC_SOURCE;
    diagnostic.code = { value: finding.ruleId, target: this.docsUri(`${finding.ruleId}.md`) };
    return diagnostic;
  }

  /** Sets diagnostics for a file linted outside an editor (the workspace command). */
  setFileFindings(uri: vscode.Uri, text: string, findings: Finding[]): void {
    const document = { positionAt: (offset: number) => positionAt(text, offset) } as vscode.TextDocument;
    this.collection.set(
      uri,
      findings.map((f) => this.toDiagnostic(document, f)),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }

  private relintAll(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.collection.delete(uri);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lint(document);
      }, delayMs),
    );
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
        this.results.delete(document.uri.toString());
        this.collection.delete(document.uri);
        return;
      }
      this.results.set(document.uri.toString(), { version, findings: result.findings });
      this.collection.set(
        document.uri,
        result.findings.map((f) => this.toDiagnostic(document, f)),
      );
    } catch (error) {
      logError(this.log, `Linting ${document.uri.fsPath} failed`, error);
    }
  }
}

function positionAt(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g) ?? []).length;
  return new vscode.Position(line, offset - (before.lastIndexOf('\n') + 1));
}
