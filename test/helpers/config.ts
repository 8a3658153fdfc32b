// A fresh copy of the embedded default configuration for each test, with overrides applied.
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import type { PolicyConfig } from '../../src/rules/types.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)) {
      merge(current as Record<string, unknown>, value as Record<string, unknown>);
    } else target[key] = value;
  }
}

export function testConfig(overrides: DeepPartial<PolicyConfig> = {}): PolicyConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  merge(config as unknown as Record<string, unknown>, overrides as Record<string, unknown>);
  return config;
}
