import { createHash } from 'node:crypto';

/**
 * What was made of each file of the last revision, by path and content hash, so a file unchanged since is not
 * parsed, counted or checked again: a one-file commit to a large repository costs that one file's work. A file's
 * entry is replaced when its content changes; the entries of files a revision no longer has go at its end.
 */
export class FileCache<T> {
  private entries = new Map<string, { hash: string; value: T }>();

  static hash(text: string): string {
    return createHash('sha256').update(text).digest('base64');
  }

  get(file: string, hash: string): T | undefined {
    const entry = this.entries.get(file);
    return entry?.hash === hash ? entry.value : undefined;
  }

  set(file: string, hash: string, value: T): void {
    this.entries.set(file, { hash, value });
  }

  /** Forgets every file but these (the files of the revision just read). */
  retain(files: Iterable<string>): void {
    const kept = new Set(files);
    for (const file of this.entries.keys()) if (!kept.has(file)) this.entries.delete(file);
  }
}
