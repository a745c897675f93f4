import { Injectable } from '@nestjs/common';

/** Set once the process has been asked to stop: readiness answers 503 so balancers stop sending. */
@Injectable()
export class ShutdownState {
  private since?: number;

  begin(now = Date.now()): void {
    this.since ??= now;
  }

  get draining(): boolean {
    return this.since !== undefined;
  }
}
