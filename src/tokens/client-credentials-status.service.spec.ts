import { FakeClock } from '../../test/support/fake-clock';
import { CLIENT_REFUSAL_HOLD_MS, ClientCredentialsStatus } from './client-credentials-status.service';

describe('ClientCredentialsStatus', () => {
  const clock = new FakeClock();
  const status = () => new ClientCredentialsStatus(clock);

  it('reports a refusal for the hold after the last one, per provider', () => {
    const s = status();
    s.refused('a');
    const at = clock.now();
    expect(s.refusal('a')).toBe(at);
    expect(s.refusal('b')).toBeUndefined();
    clock.advance(CLIENT_REFUSAL_HOLD_MS - 1);
    expect(s.refusal('a')).toBe(at);
    clock.advance(1);
    expect(s.refusal('a')).toBeUndefined();
  });

  it('forgets the refusal as soon as a token request succeeds', () => {
    const s = status();
    s.refused('a');
    s.accepted('a');
    expect(s.refusal('a')).toBeUndefined();
  });
});
