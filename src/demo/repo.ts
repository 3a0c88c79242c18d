import { cp } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

/** A local bare repository standing in for the remote, and a work clone to commit and push from. */
export interface LocalRepo {
  url: string;
  work: string;
  git: SimpleGit;
  /** Commits everything in the work clone and pushes; returns the new sha. */
  push(message: string): Promise<string>;
}

/** Creates `<root>/remote.git` and `<root>/work`, seeded with a copy of `seed` as desired-state/, pushed to main. */
export async function createRepo(root: string, seed = 'desired-state'): Promise<LocalRepo> {
  const { url, work } = pathsOf(root);
  await simpleGit().init(['--bare', '--initial-branch=main', url]);
  await simpleGit().clone(url, work);
  const repo = openRepo(root);
  await repo.git.addConfig('user.name', 'Platform Team').addConfig('user.email', 'platform@example.com').checkoutLocalBranch('main');
  await cp(seed, path.join(repo.work, 'desired-state'), { recursive: true });
  await repo.push('The shop estate');
  return repo;
}

/** The remote and work clone `createRepo` made under root. */
export function openRepo(root: string): LocalRepo {
  const { url, work } = pathsOf(root);
  const git = simpleGit(work);
  return {
    url,
    work,
    git,
    async push(message) {
      await git.add('.').commit(message);
      await git.push('origin', 'main');
      return (await git.revparse(['HEAD'])).trim();
    },
  };
}

const pathsOf = (root: string) => ({ url: path.join(root, 'remote.git'), work: path.join(root, 'work') });
