import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type CommandValues = Record<string, string | boolean | undefined>;
export type CommandRun = (values: CommandValues, positionals: string[]) => Promise<number | void>;

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  positionals?: { min: number; max: number };
  load(): Promise<CommandRun>;
}

export function parseCommandArgs(command: Omit<CommandSpec, 'load'>, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (usage: ${command.usage})`);
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(`wrong number of arguments (usage: ${command.usage})`);
  }
  return parsed as { values: CommandValues; positionals: string[] };
}

export function intOption(value: string | boolean | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return number;
}

export function floatOption(value: string | boolean | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max}, got "${value}"`);
  }
  return number;
}

export function choiceOption<T extends string>(value: string | boolean | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) throw new UsageError(`--${name} must be one of ${choices.join('|')}, got "${value}"`);
  return value as T;
}

/** Logs and progress go to stderr; stdout carries only what scripts read (tokens, JSON, CSV). */
export const log = (line: string) => process.stderr.write(`${line}\n`);
