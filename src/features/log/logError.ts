import type * as vscode from 'vscode';
import { errorMessage } from '../../core/errors.ts';

/**
 * Logs a failure with its stack, so a bug report from the "GPU Workbench" output channel says where
 * it happened (rust-analyzer's `Log` wrapper does the same over a LogOutputChannel).
 */
export function logError(log: vscode.LogOutputChannel, what: string, error: unknown): void {
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
  log.error(`${what}: ${errorMessage(error)}${stack}`);
}
