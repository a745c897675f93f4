import { LoggerService } from '@nestjs/common';

/** Collects log lines so tests can assert what an operator would see (and what they never see). */
export class CaptureLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];

  log(message: unknown, context?: string): void {
    this.push('log', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.push('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.push('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.push('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.push('verbose', message, context);
  }

  of(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }

  private push(level: string, message: unknown, context?: string): void {
    this.lines.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message), context });
  }
}
