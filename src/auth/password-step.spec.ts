import { FakeClock } from '../../test/support/fake-clock';
import {
  afterFailedAttempt,
  currentStep,
  liveStep,
  MAX_STEP_ATTEMPTS,
  newStep,
  PasswordStep,
  STEP_LIFETIME_MS,
} from './password-step';

describe('a password login step', () => {
  const clock = new FakeClock(1_700_000_000_000);
  const make = (kind: PasswordStep['kind'] = 'two-factor'): PasswordStep =>
    newStep({ kind, provider: 'default', origin: 'login', twoFactorId: 'fa-id' }, clock.now(), 'handle-1');

  it('is found by its kind and the handle its page handed out', () => {
    const step = make();
    expect(currentStep(step, 'two-factor', 'handle-1', clock.now())).toBe(step);
  });

  it('is not found by another handle, a missing one, or a non-string one', () => {
    const step = make();
    for (const handle of ['handle-2', 'handle-1x', '', undefined, ['handle-1'], { handle: 'handle-1' }]) {
      expect(currentStep(step, 'two-factor', handle, clock.now())).toBeUndefined();
    }
  });

  it('is not found as another kind of step', () => {
    expect(currentStep(make('verify'), 'two-factor', 'handle-1', clock.now())).toBeUndefined();
    expect(liveStep(make('change-password'), 'two-factor', clock.now())).toBeUndefined();
  });

  it('expires after its lifetime (5 minutes for a code, 10 for a new password)', () => {
    for (const kind of ['two-factor', 'change-password', 'verify'] as const) {
      const step = make(kind);
      const lifetime = STEP_LIFETIME_MS[kind];
      expect(liveStep(step, kind, clock.now() + lifetime - 1)).toBe(step);
      expect(liveStep(step, kind, clock.now() + lifetime)).toBeUndefined();
    }
    expect(STEP_LIFETIME_MS['two-factor']).toBe(300_000);
  });

  it('is not found before it began (a clock that went back)', () => {
    expect(liveStep(make(), 'two-factor', clock.now() - 1)).toBeUndefined();
  });

  it('counts wrong attempts and is gone at the last allowed one', () => {
    let step: PasswordStep | undefined = make();
    for (let i = 1; i < MAX_STEP_ATTEMPTS; i++) {
      step = afterFailedAttempt(step!);
      expect(step?.attempts).toBe(i);
      expect(currentStep(step, 'two-factor', 'handle-1', clock.now())).toBe(step);
    }
    expect(afterFailedAttempt(step!)).toBeUndefined();
    expect(liveStep({ ...make(), attempts: MAX_STEP_ATTEMPTS }, 'two-factor', clock.now())).toBeUndefined();
  });
});
