import { AppConfig } from './app-config';
import { ConfigError } from './config.errors';
import { ConfigSource, optionsToEnv } from './config-options';
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

/**
 * The configuration a module's options describe: the environment (unless `fromEnv: false`)
 * overridden by the options in code, through the same validation. Throws the same ConfigError.
 */
export function configFromSource(source: ConfigSource = {}): AppConfig {
  const fromCode = optionsToEnv(source.config ?? {});
  return loadConfig(source.fromEnv === false ? fromCode : { ...process.env, ...fromCode });
}
