/** A manifest error, pinned to the source node it is about. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** `Kind/name` when the document got that far. */
  subject?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.subject ? `${p.subject}: ` : ''}${p.message}`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
