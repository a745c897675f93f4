import { createHash } from 'node:crypto';
import { RedisService } from '../redis/redis.service';
import { HeldEntry } from './denylist-healing';
import { Revocation, subjectKey } from './revocation';

/**
 * In one atomic step: mark the event (unless it was confirmed already, then change nothing), keep the
 * latest instant and longest lifetime of each entry, number the change, and announce it to every
 * instance. An event marked pending (`p`: written, replicas not yet confirmed) is applied again, so a
 * retry of a write that was never confirmed never answers `duplicate`; re-applying changes nothing.
 * KEYS: [versionKey, eventKey, entryKey...]; ARGV: [eventTtlMs (0: no event), channel, entries JSON,
 * mark (`1` confirmed, `p` pending), instant1, ttl1, ...]. The message is `<version> <entries JSON>`.
 */
const APPLY = `
if tonumber(ARGV[1]) > 0 then
  if redis.call('GET', KEYS[2]) == '1' then return 0 end
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[1])
end
if #KEYS == 2 then return 1 end
for i = 3, #KEYS do
  local instant = tonumber(ARGV[5 + 2 * (i - 3)])
  local ttl = tonumber(ARGV[6 + 2 * (i - 3)])
  local current = tonumber(redis.call('GET', KEYS[i]) or '-1')
  if instant > current then
    local pttl = redis.call('PTTL', KEYS[i])
    redis.call('SET', KEYS[i], instant, 'PX', math.max(ttl, pttl))
  elseif redis.call('PTTL', KEYS[i]) < ttl then
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
local version = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[2], version .. ' ' .. ARGV[3])
return 1
`;

/** An event's pending mark becomes confirmed (a lost confirmation only makes a retry re-apply). */
const CONFIRM = `
if redis.call('GET', KEYS[1]) then redis.call('SET', KEYS[1], '1', 'KEEPTTL') end
return 1
`;

/** How many entries one write-back script carries. */
const WRITE_BACK_BATCH = 500;

/**
 * A heartbeat carrying the current version, published from the same server (the same hash slot) as
 * the revocations, so it reaches a subscriber after every revocation announced before it.
 * KEYS: [versionKey]; ARGV: [channel, sentAt].
 */
const HEARTBEAT = `
local version = redis.call('GET', KEYS[1]) or '0'
redis.call('PUBLISH', ARGV[1], version .. ' ' .. ARGV[2])
return version
`;

type Client = RedisService['client'];
type ScriptOptions = { keys: string[]; arguments?: string[] };

/**
 * A script run by its SHA-1 (`EVALSHA`): the text goes over the wire, and is hashed by Redis, only
 * when the server does not have it yet (`NOSCRIPT`: first use, a restart, another cluster node).
 * `bySha` false: always `EVAL` (Sentinel: node-redis's Sentinel client never answers an `EVAL` sent
 * after a `NOSCRIPT` following a failover, and the mirror would stay stale; test/durability).
 */
class Script {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  run(client: Client, options: ScriptOptions, bySha: boolean): Promise<unknown> {
    if (!bySha) return client.eval(this.source, options);
    return client.evalSha(this.sha, options).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, options);
    });
  }
}

const APPLY_SCRIPT = new Script(APPLY);
const CONFIRM_SCRIPT = new Script(CONFIRM);
const HEARTBEAT_SCRIPT = new Script(HEARTBEAT);

/** One announced entry: [subject key, instant (ms), expires at (ms)]. */
export type AnnouncedEntry = HeldEntry;

export interface Announcement {
  /** The number of the change: consecutive, so a subscriber notices one it missed. */
  readonly version: number;
  readonly entries: AnnouncedEntry[];
}

/**
 * The revocation state in Redis. Every key shares the `{dl}` hash tag, so the atomic script also
 * works on Redis Cluster; each entry expires with the longest token it can affect. A version number,
 * raised with every change, lets each instance prove it has missed none.
 */
export class RedisDenylistStore {
  private readonly bySha: boolean;

  constructor(private readonly redis: RedisService) {
    this.bySha = redis.mode !== 'sentinel';
  }

  get channel(): string {
    return this.redis.key('denylist');
  }

  /** Never matched by the entries' pattern (`[uast]*`). */
  get versionKey(): string {
    return this.key('version');
  }

  private key(suffix: string): string {
    return this.redis.key('{dl}', suffix);
  }

  /**
   * Stores revocations with the event's mark, then waits for `wait.replicas` replicas (`WAIT`, on the
   * connection that wrote). `applied` is false when the event had been confirmed before; `acks` is
   * the number of replicas that confirmed in time. With replicas to wait for, the mark stays pending
   * until `confirm`.
   */
  async apply(
    revocations: readonly Revocation[],
    now: number,
    event?: { id: string; ttlMs: number },
    wait: { replicas: number; timeoutMs: number } = { replicas: 0, timeoutMs: 0 },
  ): Promise<{ applied: boolean; acks: number }> {
    const entries: HeldEntry[] = revocations.map((r) => [subjectKey(r.subject), r.instant, now + r.ttlMs]);
    const { result, acks } = await this.redis.acknowledged(this.versionKey, wait, (client) =>
      this.write(client, entries, now, event, wait.replicas > 0 ? 'p' : '1'),
    );
    return { applied: result === 1, acks };
  }

  async replicaCount(): Promise<number> {
    return this.redis.replicaCount(this.versionKey);
  }

  /** The effect of the event is replicated: a retry of it is now a `duplicate`. */
  async confirm(eventId: string): Promise<void> {
    await CONFIRM_SCRIPT.run(this.redis.client, { keys: [this.key(`e:${eventId}`)] }, this.bySha);
  }

  /**
   * Writes entries a Redis lost back, with their remaining lifetime, through the same script as a
   * revocation (the later instant and the longer lifetime win, and every instance is told).
   */
  async writeBack(entries: readonly HeldEntry[], now: number): Promise<void> {
    for (let i = 0; i < entries.length; i += WRITE_BACK_BATCH) {
      await this.write(this.redis.client, entries.slice(i, i + WRITE_BACK_BATCH), now, undefined, '1');
    }
  }

  private write(
    client: Client,
    entries: readonly HeldEntry[],
    now: number,
    event: { id: string; ttlMs: number } | undefined,
    mark: '1' | 'p',
  ): Promise<unknown> {
    return APPLY_SCRIPT.run(
      client,
      {
        keys: [this.versionKey, this.key(`e:${event?.id ?? '-'}`), ...entries.map(([key]) => this.key(key))],
        arguments: [
          String(event?.ttlMs ?? 0),
          this.channel,
          JSON.stringify(entries),
          mark,
          ...entries.flatMap(([, instant, expiresAt]) => [String(instant), String(Math.max(1, expiresAt - now))]),
        ],
      },
      this.bySha,
    );
  }

  /** The current version, for a heartbeat on `channel` that says it. */
  async heartbeat(channel: string, sentAt: number): Promise<void> {
    const options = { keys: [this.versionKey], arguments: [channel, String(sentAt)] };
    await HEARTBEAT_SCRIPT.run(this.redis.client, options, this.bySha);
  }

  async version(): Promise<number> {
    return Number((await this.redis.client.get(this.versionKey)) ?? 0);
  }

  /** Every live entry, for loading a mirror (SCAN in batches: never blocks Redis). */
  async *entries(now: number): AsyncGenerator<AnnouncedEntry[]> {
    const client = this.redis.client;
    const prefix = this.key('');
    for await (const keys of this.redis.scanKeys(`${prefix}[uast]*`, 1000)) {
      if (keys.length === 0) continue;
      const batch = client.multi().mGet(keys);
      for (const key of keys) batch.pTTL(key);
      const replies = await batch.execAsPipeline();
      const values = replies[0] as unknown as (string | null)[];
      const ttls = replies.slice(1) as unknown as number[];
      yield keys.flatMap((key, i): AnnouncedEntry[] => {
        const value = values[i];
        const ttl = ttls[i] ?? -2;
        return value === null || value === undefined || ttl <= 0
          ? []
          : [[key.slice(prefix.length), Number(value), now + ttl]];
      });
    }
  }

  /** Announcements as they come; anything that is not one is ignored. */
  async subscribe(onAnnouncement: (announcement: Announcement) => void): Promise<void> {
    await this.redis.subscribe(this.channel, (message) => {
      const parsed = parseVersioned(message);
      if (!parsed) return;
      try {
        const entries = JSON.parse(parsed.rest) as unknown;
        if (Array.isArray(entries)) onAnnouncement({ version: parsed.version, entries: entries as AnnouncedEntry[] });
      } catch {
        // A message we did not write; nothing to take from it.
      }
    });
  }

  /** Heartbeats on `channel`: the version at the time and when it was sent. */
  async subscribeHeartbeats(channel: string, onBeat: (version: number, sentAt: number) => void): Promise<void> {
    await this.redis.subscribe(channel, (message) => {
      const parsed = parseVersioned(message);
      const sentAt = Number(parsed?.rest);
      if (parsed && Number.isFinite(sentAt)) onBeat(parsed.version, sentAt);
    });
  }
}

function parseVersioned(message: string): { version: number; rest: string } | undefined {
  const space = message.indexOf(' ');
  const version = Number(message.slice(0, space));
  return space > 0 && Number.isInteger(version) ? { version, rest: message.slice(space + 1) } : undefined;
}
