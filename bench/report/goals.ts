/**
 * The targets of issues 8 and 17 on the project's 2-core machine: reported beside each run's figures
 * (bench/README.md), never asserted. A goal is a lower bound on a ratio or rate, or an upper bound.
 */
export const GOALS: readonly { key: string; atLeast?: number; atMost?: number; issue: number }[] = [
  { key: 'unguarded_over_nest_hello', atLeast: 0.9, issue: 17 },
  { key: 'guarded_over_express_jwt_bearer', atLeast: 1.2, issue: 17 },
  { key: 'guarded_cold_over_express_jwt_bearer', atLeast: 1.0, issue: 17 },
  { key: 'guarded_cold_over_nest_passport_jwt', atLeast: 2.0, issue: 17 },
  { key: 'session_page_over_express_openid_connect', atLeast: 1.0, issue: 17 },
  { key: 'webhooks_over_unguarded', atLeast: 0.5, issue: 17 },
  { key: 'guarded_over_unguarded', atLeast: 0.9, issue: 17 },
  { key: 'revocation_p99_ms', atMost: 10, issue: 17 },
  { key: 'denylist_bytes_per_entry', atMost: 150, issue: 17 },
  { key: 'session_page_over_unguarded', atLeast: 0.6, issue: 8 },
  { key: 'webhook_events_per_s', atLeast: 2000, issue: 8 },
];

export interface GoalFigure {
  readonly goal: string;
  readonly value: number | null;
  /** null when the figure could not be measured. */
  readonly met: boolean | null;
}

export function goalFigures(figures: Readonly<Record<string, unknown>>): Record<string, GoalFigure> {
  const out: Record<string, GoalFigure> = {};
  for (const { key, atLeast, atMost } of GOALS) {
    const value = typeof figures[key] === 'number' ? figures[key] : null;
    const goal = atLeast !== undefined ? `>= ${atLeast}` : `<= ${atMost}`;
    const met = value === null ? null : atLeast !== undefined ? value >= atLeast : value <= (atMost ?? Infinity);
    out[key] = { goal, value, met };
  }
  return out;
}
