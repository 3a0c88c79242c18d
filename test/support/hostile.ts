/** A flow sequence of 520k items: just under 1 MiB, and half a gigabyte once parsed into a syntax tree. */
export const FLOW_SEQUENCE = `[${Array.from({ length: 520_000 }, (_, i) => i % 10).join(',')}]\n`;
