/** Paths whose values are never shown: secret-looking names anywhere in the path. */
const SENSITIVE = /(password|passwd|secret(?!s\b)|token|api_?key|private_?key|credential)/i;

export function redactValue(path: string, value: unknown): unknown {
  return SENSITIVE.test(path) ? '(sensitive)' : value;
}

/** Short, one-line rendering of a value for human output. */
export function show(value: unknown, max = 120): string {
  const text = value === undefined ? 'null' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
