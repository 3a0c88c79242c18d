import { describe, expect, it } from 'vitest';
import { redactInput, redactValue, show } from '../../src/report/redact.js';

describe('redactValue', () => {
  it('hides the whole value of a secret-looking path', () => {
    expect(redactValue('spec.containers[app].environment.DB_PASSWORD', 'hunter2')).toBe('(sensitive)');
    expect(redactValue('spec.masterUserSecret', { arn: 'x' })).toBe('(sensitive)');
  });

  it('hides the secret-looking entries of a whole map, keeping the others visible', () => {
    const live = { LOG_LEVEL: 'info', DB_PASSWORD: 'hunter2', stripe_api_key: 'sk_live_1', GITHUB_TOKEN: 'ghp_1' };
    expect(redactValue('spec.containers[app].environment', live)).toEqual({
      LOG_LEVEL: 'info',
      DB_PASSWORD: '(sensitive)',
      stripe_api_key: '(sensitive)',
      GITHUB_TOKEN: '(sensitive)',
    });
  });

  it('looks at every depth, inside lists too', () => {
    const containers = [{ name: 'app', environment: { PORT: '8080', Session_Secret: 's3' }, auth: { credentials: { user: 'u' } } }];
    expect(redactValue('spec.containers', containers)).toEqual([
      { name: 'app', environment: { PORT: '8080', Session_Secret: '(sensitive)' }, auth: { credentials: '(sensitive)' } },
    ]);
  });

  it('shows the secrets map, which holds references (ARNs), not values, and leaves plain values alone', () => {
    const secrets = { DB_URL: 'arn:aws:secretsmanager:us-east-1:1:secret:db' };
    expect(redactValue('spec.containers[app].secrets', secrets)).toEqual(secrets);
    expect(redactValue('spec.cpu', 512)).toBe(512);
    expect(redactValue('spec.image', null)).toBeNull();
  });
});

describe('redactInput', () => {
  it('hides secret strings of a call input, and env values by name, keeping flags and references', () => {
    const input = {
      MasterUserPassword: 'hunter2',
      ManageMasterUserPassword: true,
      containerDefinitions: [{ environment: [{ name: 'STRIPE_API_KEY', value: 'sk_live_1' }, { name: 'LOG_LEVEL', value: 'info' }], secrets: [{ name: 'DB_CREDENTIALS', valueFrom: 'arn:aws:secretsmanager:x' }] }],
    };
    expect(redactInput(input)).toEqual({
      MasterUserPassword: '(sensitive)',
      ManageMasterUserPassword: true,
      containerDefinitions: [{ environment: [{ name: 'STRIPE_API_KEY', value: '(sensitive)' }, { name: 'LOG_LEVEL', value: 'info' }], secrets: [{ name: 'DB_CREDENTIALS', valueFrom: 'arn:aws:secretsmanager:x' }] }],
    });
  });
});

describe('what counts as secret-looking', () => {
  it('hides every spelling people use for passwords, keys and credentials, in any case', () => {
    for (const key of ['DB_PASSWD', 'PRIVATE_KEY', 'privateKey', 'APIKEY', 'api_key', 'Credential', 'SESSION_TOKEN', 'client_secret']) {
      expect(redactValue(`spec.containers[app].environment.${key}`, 'value'), key).toBe('(sensitive)');
    }
  });

  it('leaves names that only resemble them alone', () => {
    // A clientToken is an idempotency key and a secret's ARN names a secret: tools match calls by them.
    for (const key of ['KEY_ID', 'PASSPORT_URL', 'secrets', 'LOG_LEVEL', 'clientToken', 'secretArn', 'SecretId']) {
      expect(redactValue(`spec.${key}`, 'value'), key).toBe('value');
    }
  });
});

describe('show', () => {
  it('renders a value as one line of JSON, null for a missing one', () => {
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show(undefined)).toBe('null');
    expect(show('x')).toBe('"x"');
  });

  it('cuts a long value to the limit, marking the cut', () => {
    const long = 'x'.repeat(200);
    expect(show(long, 10)).toBe('"xxxxxxxx…');
    expect(show(long, 10)).toHaveLength(10);
    expect(show('x'.repeat(8), 10)).toBe('"xxxxxxxx"');
    expect(show(long)).toHaveLength(120);
  });
});
