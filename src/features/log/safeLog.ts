import type * as vscode from 'vscode';
import { safeText } from '../../core/text/safeText.ts';

/**
 * The output channel with every line through the sanitizer: log lines quote tool output, server
 * answers and file names, and the log file on disk is read in terminals too (`cat`, `tail -f`).
 */
export function safeLog(log: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const wrap =
    (write: (message: string, ...args: unknown[]) => void) =>
    (message: string | Error, ...args: unknown[]) =>
      write(safeText(message instanceof Error ? (message.stack ?? message.message) : message), ...args);
  return new Proxy(log, {
    get(target, key, receiver) {
      switch (key) {
        case 'trace':
        case 'debug':
        case 'info':
        case 'warn':
          return wrap((m, ...a) => target[key](m, ...a));
        case 'error':
          return wrap((m, ...a) => target.error(m, ...a));
        case 'append':
        case 'appendLine':
          return (value: string) => target[key](safeText(value));
        default: {
          const value: unknown = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
      }
    },
  });
}
