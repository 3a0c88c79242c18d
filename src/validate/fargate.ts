/** Valid Fargate task memory (MiB) per CPU size, from the ECS task size table. */
const FARGATE_MEMORY: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Undefined when valid, else the reason (about cpu when it is no Fargate size, else about memory). */
export function fargateSizeError(cpu: number, memory: number): string | undefined {
  const allowed = FARGATE_MEMORY[cpu];
  if (!allowed) return `${cpu} is not a Fargate CPU size (valid: ${Object.keys(FARGATE_MEMORY).join(', ')})`;
  if (allowed.includes(memory)) return undefined;
  const first = allowed[0];
  const last = allowed[allowed.length - 1];
  const step = allowed.length > 1 ? (allowed[1] as number) - (first as number) : 0;
  return `${memory} MiB is not valid with cpu ${cpu} on Fargate (valid: ${allowed.length <= 3 ? allowed.join(', ') : `${first}-${last} in steps of ${step}`})`;
}

export function isFargateCpu(cpu: number): boolean {
  return cpu in FARGATE_MEMORY;
}
