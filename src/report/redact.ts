/** Names whose values are never shown: secret-looking words anywhere in a change path or a map key. */
// A clientToken (an idempotency key) and a secret's ARN or id name a secret without being one: tools match calls by them.
const SENSITIVE = /(password|passwd|secret(?!s\b|_?arn|_?id\b)|(?<!client)token|api_?key|private_?key|credential)/i;
const HIDDEN = '(sensitive)';

/**
 * The value of a change as people may see it: hidden whole when its path looks secret, otherwise with every entry
 * whose key looks secret hidden, at any depth (a change of a whole map, e.g. a container's environment, keeps its
 * other entries visible).
 */
export function redactValue(path: string, value: unknown): unknown {
  return SENSITIVE.test(path) ? HIDDEN : redactEntries(value);
}

function redactEntries(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactEntries);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SENSITIVE.test(key) ? HIDDEN : redactEntries(v)]));
}

/** Short, one-line rendering of a value for human output. */
export function show(value: unknown, max = 120): string {
  const text = value === undefined ? 'null' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An AWS call's input as people and tools may see it: strings under secret-looking keys are hidden (flags such as
 * `ManageMasterUserPassword: true` stay), and so are the values of `{name, value}` pairs with a secret-looking name
 * (ECS environment lists).
 */
export function redactInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactInput);
  if (typeof value !== 'object' || value === null) return value;
  const named = 'name' in value && typeof value.name === 'string' && SENSITIVE.test(value.name);
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, typeof v === 'string' && (SENSITIVE.test(key) || (named && key === 'value')) ? HIDDEN : redactInput(v)]),
  );
}
