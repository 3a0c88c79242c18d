const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 24 * 60;

/** A window as minute ranges within the week (a daily window repeats every day). */
export interface Window {
  ranges: [number, number][];
  minutes: number;
}

function minuteOfDay(hhmm: string): number | undefined {
  const [h, m] = hhmm.split(':').map(Number);
  if (h === undefined || m === undefined || h > 23 || m > 59) return undefined;
  return h * 60 + m;
}

/** Parses `hh:mm-hh:mm` (daily) or `ddd:hh:mm-ddd:hh:mm` (weekly); undefined when a time is out of range. */
export function parseWindow(text: string): Window | undefined {
  const weekly = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(text);
  if (weekly) {
    const [, d1, t1, d2, t2] = weekly as unknown as [string, string, string, string, string];
    const m1 = minuteOfDay(t1);
    const m2 = minuteOfDay(t2);
    if (m1 === undefined || m2 === undefined) return undefined;
    const start = DAYS.indexOf(d1) * 1440 + m1;
    const end = DAYS.indexOf(d2) * 1440 + m2;
    const minutes = (end - start + WEEK) % WEEK;
    return { ranges: split(start, minutes, WEEK), minutes };
  }
  const daily = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text);
  if (!daily) return undefined;
  const m1 = minuteOfDay(daily[1] as string);
  const m2 = minuteOfDay(daily[2] as string);
  if (m1 === undefined || m2 === undefined) return undefined;
  const minutes = (m2 - m1 + 1440) % 1440;
  const ranges: [number, number][] = [];
  for (let day = 0; day < 7; day++) ranges.push(...split(day * 1440 + m1, minutes, WEEK));
  return { ranges, minutes };
}

function split(start: number, minutes: number, modulo: number): [number, number][] {
  const end = start + minutes;
  return end <= modulo ? [[start, end]] : [[start, modulo], [0, end - modulo]];
}

export function overlaps(a: Window, b: Window): boolean {
  return a.ranges.some(([s1, e1]) => b.ranges.some(([s2, e2]) => s1 < e2 && s2 < e1));
}
