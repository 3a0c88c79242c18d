import { describe, expect, it } from 'vitest';
import { overlaps, parseWindow } from '../../src/validate/windows.js';

const window = (text: string) => {
  const w = parseWindow(text);
  if (!w) throw new Error(`${text} did not parse`);
  return w;
};

// RDS refuses a backup window that overlaps the maintenance window, and one shorter than 30 minutes: validate must
// find both before apply sends them, including across midnight and the end of the week.
describe('RDS windows', () => {
  it('measures a daily window, also across midnight', () => {
    expect(window('02:00-02:30').minutes).toBe(30);
    expect(window('23:45-00:15').minutes).toBe(30);
    expect(window('00:00-23:59').minutes).toBe(1439);
  });

  it('measures a weekly window, also across the end of the week', () => {
    expect(window('sun:03:00-sun:03:30').minutes).toBe(30);
    expect(window('mon:23:50-tue:00:20').minutes).toBe(30);
    expect(window('sun:23:50-mon:00:20').minutes).toBe(30);
  });

  it('refuses times out of range and text of another shape', () => {
    const shapes = ['2:00-2:30', 'mon:02:00', 'mon:02:00-02:30', '02:00-02:30x', 'xmon:02:00-mon:02:30', 'mon:02:00-mon:02:30x'];
    for (const text of ['24:00-00:30', '02:60-03:30', '02:00-24:00', 'mon:24:00-mon:23:00', 'mon:02:00-mon:02:60', ...shapes]) {
      expect(parseWindow(text), text).toBeUndefined();
    }
    expect(parseWindow('23:00-23:59')).toBeDefined();
    expect(parseWindow('sun:23:00-sun:23:59')).toBeDefined();
  });

  it('finds a daily backup window overlapping a weekly maintenance window on any day', () => {
    expect(overlaps(window('02:00-02:30'), window('sun:02:15-sun:02:45'))).toBe(true);
    expect(overlaps(window('02:00-02:30'), window('wed:01:45-wed:02:05'))).toBe(true);
    expect(overlaps(window('02:00-02:30'), window('sun:03:00-sun:03:30'))).toBe(false);
  });

  it('lets windows touch end to start without overlapping', () => {
    expect(overlaps(window('02:00-02:30'), window('tue:02:30-tue:03:00'))).toBe(false);
    expect(overlaps(window('tue:02:30-tue:03:00'), window('02:00-02:30'))).toBe(false);
    expect(overlaps(window('02:00-02:30'), window('tue:01:30-tue:02:00'))).toBe(false);
    expect(overlaps(window('02:00-02:31'), window('tue:02:30-tue:03:00'))).toBe(true);
  });

  it('finds overlaps of windows that wrap past midnight or the end of the week', () => {
    // Sunday 23:50 to Monday 00:20 overlaps a daily 00:00-00:30 on Monday morning, after the wrap.
    expect(overlaps(window('00:00-00:30'), window('sun:23:50-mon:00:20'))).toBe(true);
    expect(overlaps(window('23:50-00:20'), window('mon:00:10-mon:00:40'))).toBe(true);
    expect(overlaps(window('23:50-00:20'), window('sun:23:00-sun:23:40'))).toBe(false);
    expect(overlaps(window('sun:23:50-mon:00:20'), window('sun:23:00-sun:23:40'))).toBe(false);
    expect(overlaps(window('sun:23:50-mon:00:20'), window('sun:23:00-sun:23:55'))).toBe(true);
  });
});
