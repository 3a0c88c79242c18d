import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that ran longest (one quiet run of the suite), longest first. vitest orders files by the durations of an
 * earlier run, which a fresh clone such as CI's does not have; it then orders them by size, and short files that run
 * for half a minute (the demo, the shutdown test) started last, the run waiting on them alone for the last 30-40 s.
 * A file missing here only runs later than it might: keep the list to the files that take over 10 s.
 */
const LONGEST = [
  'lease/election',
  'controller/controller',
  'controller/controller-drift',
  'controller/shutdown',
  'sharing/replicas',
  'cli/apply',
  'demo',
  'validate/desired-state-edits',
  'source/git',
  'controller/suspend',
  'cli/plan',
  'trust/signed-commits',
  'events/event-driven-drift',
  'controller/loop',
  'cli/apply-corrects',
  'controller/hostile-revision',
  'controller/webhook-deliveries',
];

const rank = (file: TestSpecification) => {
  const i = LONGEST.findIndex((name) => file.moduleId.endsWith(`/test/${name}.test.ts`));
  return i < 0 ? LONGEST.length : i;
};

/** vitest's order (failed first, then by earlier duration or size), with the longest files moved to the front. */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((file, i) => ({ file, i })).sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i).map(({ file }) => file);
  }
}
