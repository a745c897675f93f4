import { cpus, loadavg, release, totalmem } from 'node:os';
import { round } from '../support/stats';

export interface Machine {
  readonly cores: number;
  readonly cpu_model: string;
  /** The node running the benchmark itself (the load generator and the dev IdP). */
  readonly node: string;
  /** The node running the service and the peers (`--node`). */
  readonly service_node: string | null;
  readonly platform: string;
  readonly os_release: string;
  readonly arch: string;
  readonly total_memory_mb: number;
  readonly load_average_at_start: number[];
  readonly redis: string;
}

export function machine(loadAtStart: number[], serviceNode: string | null, redis: string): Machine {
  const all = cpus();
  return {
    cores: all.length,
    cpu_model: all[0]?.model.trim() ?? 'unknown',
    node: process.version,
    service_node: serviceNode,
    platform: process.platform,
    os_release: release(),
    arch: process.arch,
    total_memory_mb: Math.round(totalmem() / 1024 / 1024),
    load_average_at_start: loadAtStart,
    redis,
  };
}

export const loadAverage = (): number[] => loadavg().map((x) => round(x));
