import { ConfigProblem } from './config.errors';
import { readTable, readVariable, Vars } from './env-reader';
import { oneOf, port, text } from './parsers';
import { variable } from './variable';

const TABLE = {
  A_PORT: variable(port, { group: 'service', default: '80', doc: 'a port' }),
  A_MODE: variable(oneOf(['safe', 'fast']), {
    group: 'service',
    default: 'fast',
    production: {
      default: 'safe',
      refuse: (given) => (given === 'fast' ? 'fast is unsafe' : undefined),
      doc: 'never `fast`',
    },
    doc: 'a mode',
  }),
  A_SECRET: variable(text(8), { group: 'service', secret: true, doc: 'a secret' }),
};

function read(vars: Vars, production = false) {
  const problems: ConfigProblem[] = [];
  const reading = readTable(TABLE, {
    vars,
    production,
    report: (variable, reason) => problems.push({ variable, reason }),
  });
  return { ...reading, problems };
}

describe('readTable', () => {
  it('reads given values typed, and the default of each one not given', () => {
    const { values, given, problems } = read({ A_PORT: '8080' });
    expect(values).toEqual({ A_PORT: 8080, A_MODE: 'fast', A_SECRET: undefined });
    expect([...given]).toEqual(['A_PORT']);
    expect(problems).toEqual([]);
  });

  it('reports a value of the wrong form with what was given, and reads the default instead', () => {
    const { values, bad, problems } = read({ A_PORT: 'eighty' });
    expect(problems).toEqual([{ variable: 'A_PORT', reason: 'must be a port number (0-65535) (got "eighty")' }]);
    expect(values.A_PORT).toBe(80);
    expect([...bad]).toEqual(['A_PORT']);
  });

  it("never shows a secret's value", () => {
    expect(read({ A_SECRET: 'short' }).problems).toEqual([
      { variable: 'A_SECRET', reason: 'must be at least 8 characters (value redacted)' },
    ]);
  });

  it('takes the production default in production, and refuses there what the rule refuses', () => {
    expect(read({}, true).values.A_MODE).toBe('safe');
    expect(read({ A_MODE: 'fast' }, false).problems).toEqual([]);
    expect(read({ A_MODE: 'fast' }, true).problems).toEqual([
      { variable: 'A_MODE', reason: 'fast is unsafe (refused in production)' },
    ]);
  });

  it('runs no production rule over a value already refused for its form', () => {
    expect(read({ A_MODE: 'turbo' }, true).problems).toEqual([
      { variable: 'A_MODE', reason: 'must be safe or fast (got "turbo")' },
    ]);
  });
});

describe('readVariable', () => {
  it('takes a default handed to it over the declared one, or none', () => {
    const context = { vars: {}, production: false, report: () => undefined };
    expect(readVariable(TABLE.A_PORT, 'A_PORT', context, '443').value).toBe(443);
    expect(readVariable(TABLE.A_PORT, 'A_PORT', context, null).value).toBeUndefined();
  });

  it('throws, as a bug, on a default its own parser refuses', () => {
    const broken = variable(port, { group: 'service', default: 'eighty', doc: 'broken' });
    expect(() => readVariable(broken, 'BROKEN', { vars: {}, production: false, report: () => undefined })).toThrow(
      'the default of BROKEN is invalid',
    );
  });
});
