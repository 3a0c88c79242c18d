/** The subset of Slack Block Kit the notifications use. */
export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** Slack's limits: blocks a message, characters a section, a header and the fallback `text` (cut beyond it). */
export const SLACK_LIMITS = { blocks: 50, section: 3000, header: 150, text: 40_000 } as const;

/** Slack's control characters, to be escaped in every text field (the fallback too): `<!channel>` stays text. */
export function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Cuts escaped text to at most `max` characters ending with "…"; never inside an escape (`&amp;`) or a surrogate
 * pair, so Slack never shows half an entity or a broken character.
 */
export function truncate(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let cut = max - 1;
  const amp = escaped.lastIndexOf('&', cut - 1);
  if (amp >= 0 && escaped.indexOf(';', amp) >= cut) cut = amp;
  const code = escaped.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${escaped.slice(0, cut)}…`;
}

export const header = (escaped: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(escaped, SLACK_LIMITS.header) } });

export const section = (escaped: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(escaped, SLACK_LIMITS.section) } });

export const context = (escaped: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(escaped, SLACK_LIMITS.section) }] });

/** Packs lines into as few sections as the section limit allows, leaving room for `reserved` other blocks. */
export function sections(lines: string[], reserved: number): Block[] {
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SLACK_LIMITS.section) texts[texts.length - 1] = `${last}\n${line}`;
    else texts.push(line);
  }
  const room = SLACK_LIMITS.blocks - reserved;
  if (texts.length > room) texts.splice(room - 1, texts.length, '_… (message cut at Slack’s block limit)_');
  return texts.map(section);
}

/** The fallback text within Slack's limit. */
export const fallback = (escapedLines: string[]): string => truncate(escapedLines.join('\n'), SLACK_LIMITS.text);

/**
 * Picks at most `max` items so that every group (kind) keeps a place: round robin over the groups, in their order,
 * then the original order. A burst of alarms can no longer crowd out the four services that drifted with them.
 */
export function fairSample<T>(items: T[], max: number, group: (item: T) => string): { shown: T[]; hidden: Map<string, number> } {
  if (items.length <= max) return { shown: items, hidden: new Map() };
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => groups.set(group(item), [...(groups.get(group(item)) ?? []), i]));
  const picked = new Set<number>();
  for (let round = 0; picked.size < max; round += 1) {
    for (const indexes of groups.values()) {
      const i = indexes[round];
      if (i !== undefined && picked.size < max) picked.add(i);
    }
  }
  const hidden = new Map<string, number>();
  items.forEach((item, i) => {
    if (!picked.has(i)) hidden.set(group(item), (hidden.get(group(item)) ?? 0) + 1);
  });
  return { shown: items.filter((_, i) => picked.has(i)), hidden };
}

/** `and 12 more (10 Alarm, 2 EcsService)`. */
export function moreLine(hidden: Map<string, number>): string | undefined {
  const total = [...hidden.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const parts = [...hidden].map(([g, n]) => `${n} ${g}`);
  return `and ${total} more (${parts.join(', ')})`;
}
