import * as util from 'node:util';

export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'dim';

/** Colours a piece of terminal text, or leaves it as is. */
export type Paint = (colour: Colour, text: string) => string;

export const plain: Paint = (_colour, text) => text;

const ANSI: Record<Colour, [number, number]> = { green: [32, 39], yellow: [33, 39], red: [31, 39], cyan: [36, 39], dim: [2, 22] };

/** node:util styleText where Node has it (20.12+), else the same ANSI codes by hand. */
const styleText = (util as { styleText?: (format: Colour, text: string, options?: { validateStream: boolean }) => string }).styleText;
const ansi: Paint = styleText
  ? (colour, text) => styleText(colour, text, { validateStream: false })
  : (colour, text) => `\u001b[${ANSI[colour][0]}m${text}\u001b[${ANSI[colour][1]}m`;

/** Colour only for a person at a terminal who did not ask for none (https://no-color.org: NO_COLOR set and not empty). */
export function painter(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  return stream.isTTY === true && !env.NO_COLOR ? ansi : plain;
}
