export interface ConfigProblem {
  variable: string;
  reason: string;
}

/** Thrown once at start with every problem found, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  - ${p.variable}: ${p.reason}`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}
