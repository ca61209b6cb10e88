/** Option checks of the resilience module: a ConfigError naming the owner, the key and the value. */
import { ConfigError } from '../core/errors.ts';

export function positiveInteger(owner: string, key: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${owner}: ${key} must be a positive integer, got ${value}`, { key });
  return value;
}

export function positiveNumber(owner: string, key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${owner}: ${key} must be a positive number, got ${value}`, { key });
  return value;
}

export function nonNegativeNumber(owner: string, key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${owner}: ${key} must be a non-negative number, got ${value}`, { key });
  return value;
}
