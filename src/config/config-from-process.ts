import { AppConfig } from './app-config';
import { ConfigError } from './config.errors';
import { loadConfig } from './load-config';

/**
 * The one place that reads process.env. On a bad configuration the process stops with status 1 and
 * one message naming every bad variable; nothing starts half-configured.
 */
export function configFromProcessOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
