import * as vscode from 'vscode';
import { Settings } from '../../constants.ts';

/**
 * A machine-scoped setting, read from user (or remote machine) settings only: a value a workspace
 * file puts there is never used, whatever VS Code's own scope handling does.
 */
export function machineSetting<T>(key: string): T | undefined {
  const inspected = vscode.workspace.getConfiguration(Settings.section).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

export function machineString(key: string): string | undefined {
  const value = machineSetting<unknown>(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function machineStringList(key: string): string[] {
  const value = machineSetting<unknown>(key);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A positive number setting, or the fallback when it is missing or nonsense. */
export function numberSetting(key: string, fallback: number, { allowZero = false } = {}): number {
  const value = vscode.workspace.getConfiguration(Settings.section).get<unknown>(key);
  return typeof value === 'number' && Number.isFinite(value) && (value > 0 || (allowZero && value === 0))
    ? value
    : fallback;
}
