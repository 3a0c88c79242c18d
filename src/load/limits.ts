/** Caps on one revision, checked before anything is parsed into memory (see README, "Revision limits"). */
export interface RevisionLimits {
  /** All manifest files together. */
  maxRevisionBytes: number;
  maxDocuments: number;
  /** Scalars and flow collections over all files: what a parser allocates objects for. */
  maxYamlNodes: number;
}

/** Room for an estate of 1,000 services (about 10,000 manifests, 6 MB), and no more than a few times that. */
export const DEFAULT_LIMITS: RevisionLimits = {
  maxRevisionBytes: 16 * 1024 * 1024,
  maxDocuments: 20_000,
  maxYamlNodes: 1_000_000,
};
