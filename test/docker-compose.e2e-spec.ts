import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KICKSTART } from './support/dev-idp';

interface Service {
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const kickstart = JSON.parse(readFileSync(KICKSTART, 'utf8')) as {
  variables: Record<string, string>;
  requests: { method: string; url: string }[];
};
const fusionauth = compose.services.fusionauth!;
const app = compose.services.app!;

/** docker compose cannot run here: what can be checked of docker-compose.yml without it. */
describe('docker-compose.yml', () => {
  it('pins FusionAuth to a version tag of at least 1.60.0 (prompt and max_age), never latest', () => {
    const version = /^fusionauth\/fusionauth-app:(\d+)\.(\d+)\.(\d+)$/.exec(fusionauth.image ?? '');
    expect(version).not.toBeNull();
    const [major, minor] = [Number(version![1]), Number(version![2])];
    expect(major > 1 || (major === 1 && minor >= 60)).toBe(true);
  });

  it("reports FusionAuth healthy only after its kickstart created the service's application and a registration", () => {
    const env = fusionauth.environment!;
    expect([
      env.KICKSTART_API_KEY,
      env.KICKSTART_TENANT_ID,
      env.KICKSTART_APPLICATION_ID,
      env.KICKSTART_USER_ID,
    ]).toEqual([
      kickstart.variables.apiKey,
      kickstart.variables.defaultTenantId,
      kickstart.variables.applicationId,
      kickstart.variables.userUserId,
    ]);
    const command = fusionauth.healthcheck!.test.join(' ');
    expect(command).toContain('http://localhost:9011/api/status');
    expect(command).toContain('/api/application/$$KICKSTART_APPLICATION_ID');
    expect(command).toContain('/api/user/registration/$$KICKSTART_USER_ID/$$KICKSTART_APPLICATION_ID');
    // What the check waits for is something the kickstart makes.
    const urls = kickstart.requests.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('POST /api/application/#{applicationId}');
    expect(urls).toContain('POST /api/user/registration/#{userUserId}');
  });

  it('starts the service once FusionAuth and Redis are healthy, against the kickstart’s issuer', () => {
    expect(app.depends_on).toMatchObject({
      fusionauth: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(app.environment?.OIDC_ISSUER).toBe(kickstart.variables.issuer);
  });
});
