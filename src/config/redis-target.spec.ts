import { parseRedisTarget } from './redis-target';

describe('parseRedisTarget', () => {
  it('reads one server, with credentials, TLS and a database', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379')).toMatchObject({
      mode: 'standalone',
      nodes: [{ host: '127.0.0.1', port: 6379 }],
      tls: false,
      database: 0,
    });
    expect(parseRedisTarget('rediss://app:p%40ss@redis.internal/2')).toMatchObject({
      mode: 'standalone',
      nodes: [{ host: 'redis.internal', port: 6379 }],
      username: 'app',
      password: 'p@ss',
      tls: true,
      database: 2,
    });
    expect(parseRedisTarget('redis://:only-password@[::1]:6380')).toMatchObject({
      nodes: [{ host: '::1', port: 6380 }],
      username: undefined,
      password: 'only-password',
    });
  });

  it('reads sentinels and the master name', () => {
    expect(parseRedisTarget('redis-sentinel://:secret@s1:26379,s2,s3:26380/mymaster/1')).toMatchObject({
      mode: 'sentinel',
      nodes: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
      password: 'secret',
      masterName: 'mymaster',
      database: 1,
    });
  });

  it('reads cluster seed nodes', () => {
    expect(parseRedisTarget('redis-cluster://n1:7000,n2:7001')).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      database: 0,
    });
  });

  it.each([
    ['http://127.0.0.1:6379', 'must be a redis://'],
    ['127.0.0.1:6379', 'must be a redis://'],
    ['redis://a:1,b:2', 'names one server'],
    ['redis://host/x', 'database number'],
    ['redis://host:99999', 'is not a host:port'],
    ['redis-sentinel://s1:26379', 'ends with the master name'],
    ['redis-cluster://n1:7000/3', 'has no path'],
  ])('refuses %s', (url, reason) => {
    const target = parseRedisTarget(url);
    expect('error' in target && target.error).toContain(reason);
  });
});
